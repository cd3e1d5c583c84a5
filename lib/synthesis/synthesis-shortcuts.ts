// Work cdktf does during synthesis that these stacks do not need, switched off where it happens.
// cdktf is pinned at its last release (0.21.0), so the private modules used here do not move.
import type { TerraformStack } from 'cdktf';
import cdktfTokens = require('cdktf/lib/_tokens');
import cdktfStackTraces = require('cdktf/lib/tokens/private/stack-trace');
import nodeUtil = require('node:util');

/**
 * cdktf captures a full stack trace for every token it creates (each attribute reference such as
 * `registration.clientId`, and every computed list a provider class sets up), only to show it if
 * that token later fails to resolve. That is a tenth of synthesis time at 100 environments, and our
 * tokens always resolve: while `body` runs, none are captured.
 */
export function withoutTokenStackTraces<T>(body: () => T): T {
  const capture = cdktfStackTraces.captureStackTrace;
  cdktfStackTraces.captureStackTrace = () => [];
  try {
    return body();
  } finally {
    cdktfStackTraces.captureStackTrace = capture;
  }
}

/**
 * Runs `stack.toTerraform()` without its last step. cdktf resolves every element of a stack, merges
 * the resolved pieces into one document, then resolves that whole document again; the second pass
 * only has work to do for stack-level `addOverride` values, which the stacks that use this never
 * set. It costs a tenth of synthesis time. The merged document is the only one cdktf passes to
 * `resolve` with the stack's "//" metadata at its top.
 */
export function withoutFinalResolve<T>(stack: TerraformStack, body: () => T): T {
  const resolve = cdktfTokens.resolve;
  cdktfTokens.resolve = (scope, obj, preparing) => (scope === stack && isMergedDocument(obj, stack) ? obj : resolve(scope, obj, preparing));
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
