import { terraformTextProblem } from '../process/terraform-literal';
import { editDistance } from './nearest-name';

/**
 * Reads untrusted values (an environment file's default export) field by field, reporting every
 * problem with its field path instead of stopping at the first. Environment files run as they are,
 * without the type checker, so nothing here trusts their declared types.
 */

export type Report = (path: string, message: string) => void;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** A short description of a value for "got ..." in messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 60 ? `"${value.slice(0, 57)}..."` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that `value` is an object whose keys are all in `allowed`; unknown keys are reported
 * with the nearest allowed name, so a misspelt optional field cannot be silently ignored.
 */
export function readObject(
  value: unknown,
  path: string,
  allowed: readonly string[],
  report: Report,
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    report(path, `must be an object; got ${describe(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = nearest(key, allowed);
    report(
      fieldPath(path, key.length > MAX_SHOWN_KEY ? `${key.slice(0, MAX_SHOWN_KEY - 3)}...` : key),
      near ? `unknown field; did you mean "${near}"?` : `unknown field; allowed: ${allowed.join(', ')}`,
    );
  }
  return value;
}

export function readString(
  value: unknown,
  path: string,
  report: Report,
  limits: { maxLength?: number } = {},
): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    report(path, `must be a non-empty string; got ${describe(value)}`);
    return undefined;
  }
  if (limits.maxLength !== undefined && value.length > limits.maxLength) {
    report(path, `must be at most ${limits.maxLength} characters; got ${value.length}`);
    return undefined;
  }
  const problem = terraformTextProblem(value);
  if (problem) {
    report(path, problem);
    return undefined;
  }
  return value;
}

export function readArray(value: unknown, path: string, report: Report): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    report(path, `must be an array; got ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** Reads a GUID and returns it in lower case, the form Entra returns. */
export function readGuid(value: unknown, path: string, report: Report, what = 'a GUID'): string | undefined {
  if (typeof value !== 'string' || !GUID.test(value)) {
    report(path, `must be ${what} (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got ${describe(value)}`);
    return undefined;
  }
  return value.toLowerCase();
}

export function readOneOf<T extends string | number>(
  value: unknown,
  path: string,
  allowed: readonly T[],
  report: Report,
): T | undefined {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  report(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${describe(value)}`);
  return undefined;
}

export function readBoolean(value: unknown, path: string, report: Report): boolean | undefined {
  if (typeof value === 'boolean') return value;
  report(path, `must be true or false; got ${describe(value)}`);
  return undefined;
}

export function readInteger(
  value: unknown,
  path: string,
  report: Report,
  range: { min: number; max: number },
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    report(path, `must be a whole number from ${range.min} to ${range.max}; got ${describe(value)}`);
    return undefined;
  }
  return value;
}

/** Longer field names are shown cut, and get no suggestion: no field is named anything like them. */
const MAX_SHOWN_KEY = 64;

function nearest(key: string, candidates: readonly string[]): string | undefined {
  // The edit distance costs the product of both lengths: a megabyte-long name would take minutes.
  if (key.length > MAX_SHOWN_KEY) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

