import { types } from 'node:util';
import { fieldPath, type Report } from '../input/field-reader';

/**
 * How deep an environment's values nest at most: the deepest real field is about four levels down
 * (`adopt.consentGrantIds.microsoftGraph`), so 32 only stops a runaway or self-referencing value.
 */
const MAX_DEPTH = 32;
/** More entries than any list of an environment may hold (redirect URIs: 256), so a huge or sparse list is refused before it is walked. */
const MAX_ENTRIES = 10_000;

/**
 * Copies an environment file's default export into plain data, reading only own, enumerable data
 * properties: getters are never called, `__proto__` and inherited properties are never used,
 * Proxies, Promises and class instances are refused. Environment files run as code, so their
 * values can be anything; the copy is what every reader after this sees. Objects in the copy have
 * no prototype, so a field name like `constructor` or `toString` finds nothing it was not given.
 * @returns the copy, or undefined when something was reported
 */
export function readPlainData(value: unknown, report: Report): unknown {
  let failed = false;
  const fail: Report = (path, message) => {
    failed = true;
    report(path, message);
  };
  const copy = copyValue(value, '', 0, new Set(), fail);
  return failed ? undefined : copy;
}

function copyValue(value: unknown, path: string, depth: number, parents: Set<object>, fail: Report): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const notPlain = whyNotPlain(value);
  if (notPlain) {
    fail(path, notPlain);
    return undefined;
  }
  if (parents.has(value)) {
    fail(path, 'refers to itself (a value that contains itself); write plain values');
    return undefined;
  }
  if (depth >= MAX_DEPTH) {
    fail(path, `is nested more than ${MAX_DEPTH} levels deep; no field of an environment is`);
    return undefined;
  }
  parents.add(value);
  try {
    return Array.isArray(value) ? copyArray(value, path, depth, parents, fail) : copyObject(value, path, depth, parents, fail);
  } finally {
    parents.delete(value);
  }
}

/** Why a value is not a plain object or list, reading nothing a getter or a Proxy trap could answer. */
function whyNotPlain(value: object): string | undefined {
  if (types.isProxy(value)) return 'is a Proxy; write the value itself (a plain object or list)';
  if (types.isPromise(value)) {
    return 'is a Promise: await is not supported in environment files; write the value itself';
  }
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    return prototype === Array.prototype ? undefined : 'is a list with a changed prototype; write a plain list [ ... ]';
  }
  if (prototype === Object.prototype || prototype === null) return undefined;
  if (types.isDate(value)) return 'is a Date; write the value as a string';
  return 'is an object made by a class or a built-in (Map, Set, RegExp, ...); write a plain object { ... }';
}

function copyArray(list: readonly unknown[], path: string, depth: number, parents: Set<object>, fail: Report): unknown[] | undefined {
  if (list.length > MAX_ENTRIES) {
    fail(path, `has ${list.length} entries; no list of an environment has more than ${MAX_ENTRIES}`);
    return undefined;
  }
  const copy: unknown[] = [];
  for (const key of Reflect.ownKeys(list)) {
    if (key === 'length' || isIndex(key)) continue;
    fail(path, `has a property ${describeKey(key)} besides its entries; write a plain list [ ... ]`);
  }
  for (let index = 0; index < list.length; index++) {
    const descriptor = Object.getOwnPropertyDescriptor(list, index);
    const at = fieldPath(path, index);
    if (!descriptor) {
      fail(at, 'is an empty slot in the list (two commas in a row?); remove it');
    } else if (!('value' in descriptor)) {
      fail(at, 'is a getter; write the value itself (getters are never called)');
    } else {
      copy.push(copyValue(descriptor.value, at, depth + 1, parents, fail));
    }
  }
  return copy;
}

function copyObject(object: object, path: string, depth: number, parents: Set<object>, fail: Report): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Reflect.ownKeys(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if (typeof key === 'symbol') {
      fail(path, `has a symbol-keyed property ${describeKey(key)}; fields are named by strings`);
      continue;
    }
    const at = fieldPath(path, key);
    if (key === '__proto__') {
      fail(at, 'is not a field (it would set the prototype); remove it');
    } else if (!('value' in descriptor)) {
      fail(at, 'is a getter or setter; write the value itself (getters are never called)');
    } else if (!descriptor.enumerable) {
      fail(at, 'is hidden (not enumerable); write it as an ordinary field');
    } else {
      copy[key] = copyValue(descriptor.value, at, depth + 1, parents, fail);
    }
  }
  return copy;
}

function isIndex(key: string | symbol): boolean {
  return typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key);
}

function describeKey(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${String(key.description ?? 'symbol')}]` : JSON.stringify(key);
}
