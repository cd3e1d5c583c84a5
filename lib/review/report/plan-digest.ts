import { createHash } from 'node:crypto';
import { UserError } from '../../process/command-line';
import { isPlainObject as isObject } from '../../input/field-reader';

/**
 * The digest of what a plan would change: a SHA-256 over the canonical change set, so that a plan
 * approved in review can be told apart from any other before it is applied.
 *
 * In it: every resource change that does something (actions other than no-op, an import, or a move)
 * with its address, previous address, deposed key, provider, actions in Terraform's order (create
 * before destroy is not destroy before create) and values before and after; every root output that
 * changes, with its values; each import's ID.
 * Not in it: what does not change what is applied (no-op resources and outputs, `resource_drift`,
 * prior state, configuration, planned values) and what differs between runs that plan the same
 * changes (timestamp, `terraform_version`, `format_version`, the order of entries and of object keys,
 * attributes that are null on one side and absent on the other).
 * Values: a value known only after apply is one mark; a sensitive value enters only as its own
 * SHA-256, so a digest never carries a secret, yet a changed secret changes the digest.
 * List order counts: Terraform lists are ordered, and it prints the elements of a set in a fixed order.
 */
export function planDigest(plan: Readonly<Record<string, unknown>>, label: string): string {
  const resources = (Array.isArray(plan.resource_changes) ? plan.resource_changes : [])
    .filter(isObject)
    .filter(changesSomething)
    .map((entry) => canonicalResourceChange(entry, label));
  const outputs = Object.entries(isObject(plan.output_changes) ? plan.output_changes : {})
    .filter(([, change]) => isObject(change) && !isNoOp(change.actions))
    .map(([name, change]) => canonicalChange([['name', JSON.stringify(name)]], change as Record<string, unknown>, `${label}: output_changes.${name}`));
  return sha256([VERSION, `resources ${list(resources)}`, `outputs ${list(outputs)}`].join('\n'));
}

/** A customer tenant stack that could not be planned yet has no plan; its digest says what it waits for. */
export function unplannedStackDigest(waitsFor: string): string {
  return sha256([VERSION, `not planned: waits for ${JSON.stringify(waitsFor)}`].join('\n'));
}

/** A stack terraform could not plan has no plan either; its digest says why, so it matches no plan. */
export function failedStackDigest(failure: string): string {
  return sha256([VERSION, `not planned: failed: ${JSON.stringify(failure)}`].join('\n'));
}

/**
 * The digest of several reports of one run (an environment and its customer tenant stacks, or
 * several environments): each report's digest with its name. One report's run digest is its own.
 */
export function runDigest(reports: readonly { readonly environment: string; readonly digest: string }[]): string {
  if (reports.length === 1) return reports[0].digest;
  const lines = reports.map((report) => `${JSON.stringify(report.environment)} ${report.digest}`).sort();
  return sha256([VERSION, 'reports', ...lines].join('\n'));
}

/** How a digest is written: 64 lowercase hex digits. */
export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** A digest shortened for people, as git shortens commits; messages always show the whole one too. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

// The canonical form is versioned: changing it changes every digest, which a reviewer must know of.
const VERSION = 'vb365-restore-portal plan digest 1';


function changesSomething(entry: Readonly<Record<string, unknown>>): boolean {
  const change = isObject(entry.change) ? entry.change : {};
  return !isNoOp(change.actions) || change.importing !== undefined || typeof entry.previous_address === 'string';
}

function isNoOp(actions: unknown): boolean {
  return Array.isArray(actions) && actions.length === 1 && actions[0] === 'no-op';
}

function canonicalResourceChange(entry: Readonly<Record<string, unknown>>, label: string): string {
  const where = `${label}: ${String(entry.address)}`;
  const identity: Field[] = [];
  for (const key of ['address', 'previous_address', 'deposed', 'provider_name']) {
    if (typeof entry[key] === 'string') identity.push([key, JSON.stringify(entry[key])]);
  }
  const change = isObject(entry.change) ? entry.change : {};
  if (change.importing !== undefined) identity.push(['importing', canonical(change.importing, false, false, where)]);
  return canonicalChange(identity, change, where);
}

/** Actions and values of a resource or output change, next to the fields that name it. */
function canonicalChange(identity: readonly Field[], change: Readonly<Record<string, unknown>>, where: string): string {
  return object([
    ...identity,
    ['actions', canonical(change.actions ?? null, false, false, where)],
    ['before', canonical(change.before ?? null, false, change.before_sensitive ?? false, where)],
    ['after', canonical(change.after ?? null, change.after_unknown ?? false, change.after_sensitive ?? false, where)],
  ]);
}

/**
 * A value as canonical text: JSON with object keys sorted and null attributes left out, `?` for a
 * value known only after apply and `#<sha-256>` for a sensitive one. Neither mark is valid JSON, so
 * no real value can be mistaken for one. The masks mirror the value (`true` for the whole of it).
 */
// Recursion is bounded: readPlanJson refuses a document nested deeper than any plan Terraform makes.
function canonical(value: unknown, unknown: unknown, sensitive: unknown, where: string): string {
  if (unknown === true) return '?';
  if (sensitive === true) return `#${sha256(canonical(value, unknown, false, where))}`;
  const at = (mask: unknown, key: string | number) => (isObject(mask) || Array.isArray(mask) ? (mask as Record<string | number, unknown>)[key] : undefined);
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => canonical(item, at(unknown, index), at(sensitive, index), where)).join(',')}]`;
  }
  if (isObject(value)) {
    const fields: Field[] = [];
    const unknownKeys = isObject(unknown) ? Object.keys(unknown).filter((key) => unknown[key] === true) : [];
    for (const key of new Set([...Object.keys(value), ...unknownKeys])) {
      if ((value[key] ?? null) === null && at(unknown, key) !== true) continue;
      fields.push([key, canonical(value[key], at(unknown, key), at(sensitive, key), where)]);
    }
    return object(fields);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new UserError(`${where}: a number too large for this tool (${value})`);
  return JSON.stringify(value ?? null);
}

/** A key and its value, already canonical. */
type Field = readonly [key: string, value: string];

/** Fields in key order; a list, not an object, so that a key like `__proto__` is only a key. */
function object(fields: readonly Field[]): string {
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${sorted.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

function list(items: readonly string[]): string {
  return `[${[...items].sort().join(',')}]`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
