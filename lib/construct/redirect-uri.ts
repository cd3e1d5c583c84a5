import { describe, fieldPath, readArray, type Report } from '../environment/field-reader';

/** Entra's limits for redirect URIs of work and school account apps (Microsoft identity platform docs). */
export const REDIRECT_URI_LIMITS = { maxLength: 256, maxCount: 256 } as const;

/** Characters Entra refuses anywhere in a redirect URI. */
const FORBIDDEN_CHARACTERS = ['!', '$', "'", '(', ')', ',', ';'];

/**
 * Checks the Restore Portal addresses against what Entra accepts as SPA redirect URIs and what VB365
 * can serve: https (http only for localhost), no wildcard, no fragment, at most 256 characters and
 * 256 entries, no duplicates. Returns the URIs exactly as written: Entra compares them case-sensitively.
 */
export function readRedirectUris(value: unknown, path: string, report: Report): string[] | undefined {
  const list = readArray(value, path, report);
  if (!list) return undefined;
  if (list.length === 0) {
    report(path, 'must list at least one address of the Restore Portal, e.g. "https://restore.example.com:4443"');
    return undefined;
  }
  if (list.length > REDIRECT_URI_LIMITS.maxCount) {
    report(path, `Entra allows at most ${REDIRECT_URI_LIMITS.maxCount} redirect URIs; got ${list.length}`);
    return undefined;
  }
  const seen = new Map<string, number>();
  const uris: string[] = [];
  list.forEach((entry, index) => {
    const entryPath = fieldPath(path, index);
    const problem = redirectUriProblem(entry);
    if (problem) {
      report(entryPath, problem);
      return;
    }
    const uri = entry as string;
    const first = seen.get(uri);
    if (first !== undefined) {
      report(entryPath, `duplicates ${fieldPath(path, first)} ("${uri}"); list each address once`);
      return;
    }
    seen.set(uri, index);
    uris.push(uri);
  });
  return uris.length === list.length ? uris : undefined;
}

/** Why Entra or VB365 would reject this redirect URI, or undefined when it is fine. */
export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return `must be a non-empty string URL; got ${describe(value)}`;
  if (value.length > REDIRECT_URI_LIMITS.maxLength) {
    return `must be at most ${REDIRECT_URI_LIMITS.maxLength} characters (Entra's limit); got ${value.length}`;
  }
  if (value.includes('*')) return `wildcards are not allowed by Entra; list each portal address in full; got "${value}"`;
  if (value.includes('#')) return `must not contain a fragment ("#..."); got "${value}"`;
  if (/\s/.test(value)) return `must not contain spaces; got "${value}"`;
  const forbidden = FORBIDDEN_CHARACTERS.filter((c) => value.includes(c));
  if (forbidden.length > 0) {
    return `contains ${forbidden.map((c) => `"${c}"`).join(', ')}, which Entra does not allow in redirect URIs; got "${value}"`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not an absolute URL; expected e.g. "https://restore.example.com:4443"; got "${value}"`;
  }
  if (url.protocol === 'https:') {
    if (!url.hostname) return `has no host name; got "${value}"`;
    return undefined;
  }
  if (url.protocol === 'http:') {
    if (url.hostname === 'localhost') return undefined;
    return `must use https (Entra allows http only for http://localhost); got "${value}"`;
  }
  return `must be an https URL of the Restore Portal; got "${value}"`;
}
