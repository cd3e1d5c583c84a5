import { UserError } from '../../process/command-line';
import { escapeControlCharacters } from '../../process/problem';
import { parseJson } from '../../input/json-text';
import { isPlainObject as isObject } from '../../input/field-reader';
import { DIGEST_PATTERN, runDigest, shortDigest } from './plan-digest';
import type { PlanReport } from './plan-report';
import { NEW_REGISTRATION } from './plan-dangers';

/** `npm run plan -- --expect-digest <hex>` exits with this when the plan is not the one reviewed. */
export const DIGEST_MISMATCH_EXIT_CODE = 3;

/** What `--expect-digest` found: the digest that was reviewed against the digest of this run's plans. */
export interface DigestGate {
  readonly expected: string;
  readonly actual: string;
  readonly matches: boolean;
  /**
   * The stacks whose plan creates an application registration without `--accept-new-registration`
   * naming them: none of the run may be applied then, reviewed or not.
   */
  readonly unacknowledged: readonly string[];
}

/** Whether the gate lets the run's saved plans be applied. */
export function gatePasses(gate: DigestGate): boolean {
  return gate.matches && gate.unacknowledged.length === 0;
}

/** The value of `--expect-digest`: a digest as reports print it (upper case is taken too). */
export function readExpectedDigest(value: string): string {
  const digest = value.trim().toLowerCase();
  if (!DIGEST_PATTERN.test(digest)) {
    throw new UserError(`--expect-digest must be the 64 hex digits of a reviewed plan's digest (its report's "digest"); got "${value.slice(0, 80)}"`);
  }
  return digest;
}

/**
 * The gate: this run's digest against the reviewed one, and every registration the run would create
 * against the stacks acknowledged (`acceptNewRegistration`). A first deployment creates one rightly;
 * a stack whose state was lost creates a second one, and the plan cannot tell which it is.
 */
export function checkDigest(reports: readonly PlanReport[], expected: string, acceptNewRegistration: readonly string[] = []): DigestGate {
  const actual = runDigest(reports);
  const accepted = new Set(acceptNewRegistration);
  const unacknowledged = reports.filter((report) => createsRegistration(report) && !accepted.has(report.environment)).map((report) => report.environment);
  return { expected, actual, matches: actual === expected, unacknowledged };
}

/** Whether applying the report's plan creates an application registration (see NEW_REGISTRATION). */
export function createsRegistration(report: PlanReport): boolean {
  return report.dangers.some((danger) => danger.type === NEW_REGISTRATION.type && danger.action === NEW_REGISTRATION.action);
}

/** `--accept-new-registration`: environment (stack) names, comma-separated or given more than once. */
export function readAcceptedNewRegistrations(values: readonly string[]): string[] {
  const names = values.flatMap((value) => value.split(/[\s,]+/)).filter((name) => name !== '');
  if (names.length === 0) throw new UserError('--accept-new-registration names the environments whose new registration is acknowledged; got none');
  return names;
}

/**
 * Why the gate refuses a reviewed plan that creates a registration: what that means and how to
 * acknowledge it, for the log.
 */
export function unacknowledgedMessage(gate: DigestGate): string {
  const names = gate.unacknowledged.map(escapeControlCharacters);
  return [
    `the plan creates the application registration of ${names.join(', ')}, with a new Application ID, and that was not acknowledged: nothing of it may be applied.`,
    `For a first deployment, acknowledge it: --accept-new-registration ${names.join(',')} (apply.yml: run apply by hand with new-registration: ${names.join(',')}).`,
    'Otherwise the state was lost (a changed backend key, path or workspace, or a deleted state): VB365 keeps the registration it has; bring the state back, then plan again.',
  ].join(' ');
}

/** One report as the reviewers saw it, from the JSON report of the review run (`--json-out`). */
export interface ReviewedReport {
  readonly environment: string;
  readonly digest: string;
  /** Its dangers and changes, as `lines` words them. */
  readonly lines: readonly string[];
}

/**
 * Reads the review's JSON report (`npm run plan -- --format json` or `--json-out`), a file that
 * came from elsewhere: anything but its shape is a `UserError` naming the file.
 */
export function readReviewedReports(text: string, label: string, expected: string): ReviewedReport[] {
  const fail = (why: string) => new UserError(`--reviewed ${label}: ${why}`);
  const parsed = parseJson(text);
  if ('problem' in parsed) throw fail(`${parsed.problem}; give the JSON report of the review (npm run plan -- --format json, or --json-out)`);
  const json = parsed.value;
  const environments = isObject(json) ? json.environments : undefined;
  if (!isObject(json) || json.command !== 'plan' || !Array.isArray(environments)) {
    throw fail('is not the JSON report of npm run plan (needs "command": "plan" and "environments")');
  }
  if (json.digest !== expected) throw fail(`has digest ${String(json.digest).slice(0, 80)}, not the --expect-digest ${expected}; give the report that digest comes from`);
  return environments.map((entry, index) => {
    const items = (field: string) => {
      const list = isObject(entry) ? entry[field] : undefined;
      if (!Array.isArray(list) || !list.every((item) => isObject(item) && typeof item.message === 'string' && typeof item.action === 'string')) {
        throw fail(`environments[${index}].${field} must list items with action and message`);
      }
      return list as { action: string; message: string }[];
    };
    if (!isObject(entry) || typeof entry.environment !== 'string' || typeof entry.digest !== 'string') {
      throw fail(`environments[${index}] needs environment and digest`);
    }
    return { environment: entry.environment, digest: entry.digest, lines: lines(items('dangers'), items('changes')) };
  });
}

/**
 * Why the plan must not be applied, for the log: both digests, then, in the report's words, what
 * differs from the reviewed reports when they are given, or else all this plan would do.
 */
export function mismatchMessage(gate: DigestGate, reports: readonly PlanReport[], reviewed?: readonly ReviewedReport[]): string {
  const out = [
    `the plan is not the one that was reviewed (reviewed digest ${gate.expected}, this plan ${gate.actual}): nothing of it may be applied; plan again and have the new report reviewed`,
  ];
  const list = (heading: string, items: readonly string[]) => {
    if (items.length === 0) return;
    out.push(`    ${heading}:`);
    for (const item of items) out.push(`      ${item}`);
  };
  for (const report of reports) {
    const now = lines(report.dangers, report.changes);
    const before = reviewed?.find((r) => r.environment === report.environment);
    if (report.failure !== undefined) {
      // Its lists are empty because it has no plan, not because it would change nothing.
      out.push(`  ${escapeControlCharacters(report.environment)}: not planned: ${escapeControlCharacters(report.failure)}`);
    } else if (!reviewed) {
      out.push(`  ${report.environment} (digest ${shortDigest(report.digest)}) would now:${now.length === 0 ? ' change nothing' : ''}`);
      for (const item of now) out.push(`    ${item}`);
    } else if (!before) {
      out.push(`  ${report.environment}: not in the reviewed report; would now:${now.length === 0 ? ' change nothing' : ''}`);
      for (const item of now) out.push(`    ${item}`);
    } else if (before.digest !== report.digest) {
      const added = without(now, before.lines);
      const gone = without(before.lines, now);
      out.push(
        added.length + gone.length === 0
          ? `  ${report.environment}: the same lines as reviewed, but a value the report does not show differs (a sensitive value, one known only after apply, or an attribute it does not word)`
          : `  ${report.environment}:`,
      );
      list('new since the review', added);
      list('reviewed, no longer planned', gone);
    }
  }
  for (const before of reviewed ?? []) {
    if (!reports.some((report) => report.environment === before.environment)) out.push(`  ${escapeControlCharacters(before.environment)}: reviewed, but not planned in this run`);
  }
  return out.join('\n');
}

/** A report's dangers and changes as the gate words them: `! danger`, `<action>: change`. */
function lines(dangers: readonly { message: string }[], changes: readonly { action: string; message: string }[]): string[] {
  return [...dangers.map((item) => `! ${item.message}`), ...changes.map((item) => `${item.action}: ${item.message}`)].map(escapeControlCharacters);
}

/**
 * The items of `list` that `other` does not have, counting repeats. Counted, not searched per item:
 * a report of 80,000 lines must not take minutes.
 */
function without(list: readonly string[], other: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const item of other) left.set(item, (left.get(item) ?? 0) + 1);
  return list.filter((item) => {
    const count = left.get(item) ?? 0;
    if (count === 0) return true;
    left.set(item, count - 1);
    return false;
  });
}
