import type { ResourceChange } from './terraform-plan';
import { isUnknown } from './plan-values';

/** Attributes that say nothing to a person: identifiers derived from others, and timeouts. */
const IGNORED_ATTRIBUTES = new Set(['id', 'timeouts']);

/**
 * The attributes of a plan entry whose value changes, compared as the azuread provider (built on
 * Terraform's plugin SDK) compares them, so that a refresh which only fills in a value is no change.
 */
export function changedAttributes(entry: ResourceChange): string[] {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  if (typeof entry.afterUnknown === 'object' && entry.afterUnknown !== null) {
    for (const [key, unknown] of Object.entries(entry.afterUnknown)) if (unknown === true) keys.add(key);
  }
  return [...keys].filter((key) => !IGNORED_ATTRIBUTES.has(key) && (isUnknown(entry.afterUnknown, key) || !sameValue(before[key], after[key])));
}

/**
 * Whether two attribute values are the same to the provider. The plugin SDK cannot tell an unset
 * value from an empty one: `null`, `""`, `[]` and `{}` are all "nothing", and a nested block whose
 * every field is empty (`saml_single_sign_on = [{ relay_state = "" }]`) is no block at all. Lists
 * are compared without order: the ones these resources hold are IDs, URIs and owners, which Entra
 * returns in an order of its own. An empty string inside a list stays an entry (the article's
 * registration has an empty redirect URI, which is worth reporting).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** A value in one spelling per meaning; `undefined` for "nothing". */
function canonical(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    const items = value.flatMap((item) => {
      const canon = canonical(item);
      // An empty nested block disappears; an empty string is still an entry of the list.
      if (canon === undefined) return typeof item === 'object' && item !== null ? [] : [''];
      return [canon];
    });
    if (items.length === 0) return undefined;
    const keyed = items.map((item) => ({ key: JSON.stringify(item), item }));
    return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ item }) => item);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([key, field]) => [key, canonical(field)] as const)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}
