import { UserError } from '../process/command-line';
import { DIGEST_PATTERN, runDigest, shortDigest } from './plan-digest';
import type { PlanReport } from './plan-report';

/** `npm run plan -- --expect-digest <hex>` exits with this when the plan is not the one reviewed. */
export const DIGEST_MISMATCH_EXIT_CODE = 3;

/** What `--expect-digest` found: the digest that was reviewed against the digest of this run's plans. */
export interface DigestGate {
  readonly expected: string;
  readonly actual: string;
  readonly matches: boolean;
}

/** The value of `--expect-digest`: a digest as reports print it (upper case is taken too). */
export function readExpectedDigest(value: string): string {
  const digest = value.trim().toLowerCase();
  if (!DIGEST_PATTERN.test(digest)) {
    throw new UserError(`--expect-digest must be the 64 hex digits of a reviewed plan's digest (its report's "digest"); got "${value.slice(0, 80)}"`);
  }
  return digest;
}

export function checkDigest(reports: readonly PlanReport[], expected: string): DigestGate {
  const actual = runDigest(reports);
  return { expected, actual, matches: actual === expected };
}

/**
 * Why the plan must not be applied, for the log: both digests, then what this plan would do, in
 * the report's words, since a digest alone cannot say which line is new.
 */
export function mismatchMessage(gate: DigestGate, reports: readonly PlanReport[]): string {
  const lines = [
    `the plan is not the one that was reviewed (reviewed digest ${gate.expected}, this plan ${gate.actual}): nothing of it may be applied; plan again and have the new report reviewed`,
  ];
  for (const report of reports) {
    const items = [...report.dangers.map((item) => `! ${item.message}`), ...report.changes.map((item) => `${item.action}: ${item.message}`)];
    lines.push(`  ${report.environment} (digest ${shortDigest(report.digest)}) would now: ${items.length === 0 ? 'change nothing' : ''}`.trimEnd());
    for (const item of items) lines.push(`    ${item}`);
  }
  return lines.join('\n');
}
