import { X509Certificate } from 'node:crypto';
import type { ResourceChange, Values } from './terraform-plan';

/** A thumbprint shortened as the portal's lists show it: first and last four hex digits. */
export function shortThumbprint(thumbprint: string): string {
  return thumbprint.length > 8 ? `${thumbprint.slice(0, 4)}…${thumbprint.slice(-4)}` : thumbprint;
}

/** SHA-1 thumbprint of a key credential's certificate, as Windows and VB365 show it. */
export function thumbprintOf(values: Values, entry: ResourceChange): string {
  const value = text(values, 'value');
  if (value) {
    try {
      const encoding = text(values, 'encoding') ?? 'pem';
      const certificate = new X509Certificate(encoding === 'pem' ? value : Buffer.from(value, encoding === 'hex' ? 'hex' : 'base64'));
      return certificate.fingerprint.replace(/:/g, '');
    } catch {
      // not a certificate we can read: fall back to the name, which carries the thumbprint
    }
  }
  const fromName = /([0-9a-f]{40})$/i.exec(entry.name)?.[1];
  return (fromName ?? text(values, 'key_id') ?? entry.name).toUpperCase();
}

/** Values after the change where known, before it otherwise: what names the resource. */
export function valuesOf(entry: ResourceChange): Values {
  return { ...(entry.before ?? {}), ...(entry.after ?? {}) };
}

export function text(values: Values | null, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function list(values: Values | null, key: string): string[] {
  return strings(values?.[key]);
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Sets, not list scans: a saved plan is anyone's file, and one with 100,000 addresses must not take minutes. */
export function diff(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const [was, is] = [new Set(before), new Set(after)];
  return { added: after.filter((v) => !was.has(v)), removed: before.filter((v) => !is.has(v)) };
}

export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'string') return value;
  // An empty string in a list is an entry of its own (sameValue keeps it), so it shows as one.
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => (item === '' ? '""' : show(item))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function isSensitive(mask: unknown, key: string): boolean {
  if (mask === true) return true;
  if (typeof mask !== 'object' || mask === null) return false;
  return containsTrue((mask as Record<string, unknown>)[key]);
}

export function isUnknown(mask: unknown, key: string): boolean {
  return typeof mask === 'object' && mask !== null && (mask as Record<string, unknown>)[key] === true;
}

function containsTrue(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(containsTrue);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsTrue);
  return false;
}
