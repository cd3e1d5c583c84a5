// Work cdktf does during synthesis that these stacks do not need, switched off where it happens.
// cdktf is pinned at its last release (0.21.0) and CDK Terrain (cdktn, which installs under the name
// cdktf) keeps the same private modules, so the ones used here do not move under us.
import type { TerraformStack } from 'cdktf';
import cdktfTokens = require('cdktf/lib/_tokens');
import cdktfStackTraces = require('cdktf/lib/tokens/private/stack-trace');
import nodeUtil = require('node:util');

/** The stack-trace module as cdktf 0.21 has it (`captureStackTrace` alone) and as cdktn has it (plus `captureCreationStack`). */
const stackTraces = cdktfStackTraces as { captureStackTrace: () => string[]; captureCreationStack?: () => string[] };

/**
 * cdktf captures a full stack trace for every token it creates (each attribute reference such as
 * `registration.clientId`, and every computed list a provider class sets up), only to show it if
 * that token later fails to resolve. That is a tenth of synthesis time at 100 environments, and our
 * tokens always resolve: while `body` runs, none are captured. cdktf 0.21 calls `captureStackTrace`
 * for it; cdktn calls `captureCreationStack`, which calls `captureStackTrace` directly (so replacing
 * that export alone does nothing there): whichever the installed one has is replaced.
 */
export function withoutTokenStackTraces<T>(body: () => T): T {
  const capture = stackTraces.captureStackTrace;
  const captureCreation = stackTraces.captureCreationStack;
  const none = () => [];
  stackTraces.captureStackTrace = none;
  if (captureCreation) stackTraces.captureCreationStack = none;
  try {
    return body();
  } finally {
    stackTraces.captureStackTrace = capture;
    if (captureCreation) stackTraces.captureCreationStack = captureCreation;
  }
}

/**
 * Runs `stack.toTerraform()` with less resolving. cdktf resolves every element of a stack, merges the
 * resolved pieces into one document, then resolves that whole document again.
 * - The second pass only has work to do for stack-level `addOverride` values, which the stacks that
 *   use this never set: skipped. It cost a tenth of synthesis time. The merged document is the only
 *   one cdktf passes to `resolve` with the stack's "//" metadata at its top.
 * - cdktf's resolver visits every value of every element with a new context object for each, though
 *   nearly all of them are plain text, numbers and lists that hold no token: those are copied as it
 *   copies them (undefined left out), and only what holds a token is given to cdktf's resolver, once
 *   per text in the stack. That was a quarter of synthesis time at 100 environments.
 */
export function withoutFinalResolve<T>(stack: TerraformStack, body: () => T): T {
  const resolve = cdktfTokens.resolve;
  // One text holds the same references wherever it stands in the stack (a registration's id is in nine resources).
  const resolvedTexts = new Map<string, unknown>();
  const resolveToken = (value: unknown) => {
    if (typeof value !== 'string') return resolve(stack, value, false);
    if (!resolvedTexts.has(value)) resolvedTexts.set(value, resolve(stack, value, false));
    return resolvedTexts.get(value);
  };
  cdktfTokens.resolve = ((scope, obj, preparing) => {
    if (scope !== stack || preparing) return resolve(scope, obj, preparing);
    if (isMergedDocument(obj, stack)) return obj;
    return resolvePlain(obj, resolveToken);
  }) as typeof resolve;
  try {
    return body();
  } finally {
    cdktfTokens.resolve = resolve;
  }
}

function isMergedDocument(obj: unknown, stack: TerraformStack): boolean {
  const top = (obj as { '//'?: { metadata?: { stackName?: unknown } } } | null)?.['//'];
  return top?.metadata?.stackName === stack.node.id;
}

/** cdktf's marker of a token in text, the same for strings, lists and maps (`${TfToken[`, `#{TfToken[`, `&{TfToken[`). */
const TOKEN_MARKER = 'TfToken[';
/**
 * cdktf encodes a token number as a negative double below -1e280 (its top 16 bits are a marker), which
 * is written out with an exponent ("-8.1e+298"): text without "e+" holds none.
 */
const TOKEN_NUMBER_BELOW = -1e280;
const NUMBER_EXPONENT = 'e+';

/**
 * `value` as cdktf's resolver returns it, where `value` is plain data: what may hold a token (text with
 * a token marker or a number written out, a token number, a list with a token element, an object with
 * methods or a marked key) goes to `resolveToken` whole, which is cdktf's resolver.
 */
function resolvePlain(value: unknown, resolveToken: (value: unknown) => unknown): unknown {
  switch (typeof value) {
    case 'string':
      return value.includes(TOKEN_MARKER) || value.includes(NUMBER_EXPONENT) ? resolveToken(value) : value;
    case 'number':
      return value < TOKEN_NUMBER_BELOW ? resolveToken(value) : value;
    case 'object':
      break;
    case 'function':
      return resolveToken(value);
    default:
      return value;
  }
  if (value === null || value instanceof Date) return value;
  if (Array.isArray(value)) {
    const resolved: unknown[] = [];
    for (const entry of value) {
      if ((typeof entry === 'string' && entry.includes(TOKEN_MARKER)) || (typeof entry === 'number' && entry < TOKEN_NUMBER_BELOW)) return resolveToken(value);
      const plain = resolvePlain(entry, resolveToken);
      if (plain !== undefined) resolved.push(plain);
    }
    return resolved;
  }
  const prototype = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { resolve?: unknown }).resolve === 'function') return resolveToken(value);
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key.includes(TOKEN_MARKER)) return resolveToken(value);
    const plain = resolvePlain((value as Record<string, unknown>)[key], resolveToken);
    if (plain !== undefined) resolved[key] = plain;
  }
  return resolved;
}

/**
 * cdktf's TerraformOutput calls util.isArray, which Node deprecates at run time from Node 22 (DEP0044):
 * every synth would print a DeprecationWarning that users can do nothing about. While `body` runs,
 * util.isArray is Array.isArray, which is what it always was, without the warning.
 */
export function withoutIsArrayDeprecation<T>(body: () => T): T {
  const isArray = nodeUtil.isArray;
  nodeUtil.isArray = Array.isArray;
  try {
    return body();
  } finally {
    nodeUtil.isArray = isArray;
  }
}
