// Work cdktf does during synthesis that these stacks do not need, switched off where it happens.
// cdktf is pinned at its last release (0.21.0) and CDK Terrain (cdktn, which installs under the name
// cdktf) keeps the same private modules, so the ones used here do not move under us.
import type { TerraformStack } from 'cdktf';
import cdktfTokens = require('cdktf/lib/_tokens');
import cdktfStackTraces = require('cdktf/lib/tokens/private/stack-trace');

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
