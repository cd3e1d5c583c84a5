import type { Colors, ReportFormat } from '../../process/command-line';
import { escapeMarkdown, markdownCode } from '../../process/markdown';
import { escapeControlCharacters as shown } from '../../process/problem';
import { hasChanges, type PlanReport } from './plan-report';
import type { ChangeKind, ReportItem } from './report-item';
import { runDigest } from './plan-digest';
import { DIGEST_MISMATCH_EXIT_CODE, gatePasses, type DigestGate } from './plan-gate';

/** `plan` reviews what the code would change; `drift` looks for changes made in the portal first. */
export type ReviewKind = 'plan' | 'drift';

/**
 * Exit code of `plan` and `drift`, the worst of the stacks': 1 when any could not be planned, else 2
 * when any has changes or drift, else 0.
 */
export function reviewExitCode(reports: readonly PlanReport[]): 0 | 1 | 2 {
  if (reports.some((report) => report.failure !== undefined)) return 1;
  return reports.some(hasChanges) ? 2 : 0;
}

/** The exit code of a gate that refuses the run: 3 not the reviewed plan, 1 a new registration not acknowledged. */
export function gateExitCode(gate: DigestGate | undefined): number | undefined {
  if (gate === undefined || gatePasses(gate)) return undefined;
  return gate.matches ? 1 : DIGEST_MISMATCH_EXIT_CODE;
}

const SYMBOL: Record<ChangeKind, string> = { import: '<=', move: '->', create: '+', update: '~', replace: '-/+', delete: '-', forget: '×' };
const TITLE: Record<ReviewKind, string> = { plan: 'Restore Portal plan', drift: 'Restore Portal drift check' };
const DRIFT_HEADING = 'Changed outside Terraform';
const CHANGES_HEADING = 'Changes applying the code would make';

/**
 * The reports in the chosen format; JSON is stable: see docs/reports.md, "Plan and drift reports". With
 * `gate`, the digest that was expected is part of the report.
 */
export function formatReports(reports: readonly PlanReport[], kind: ReviewKind, format: ReportFormat, colors: Colors, gate?: DigestGate): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(reports, kind, gate), null, 2)}\n`;
    case 'markdown':
      return [...reports.map((report) => formatMarkdown(report, kind)), ...runDigestLines(reports, gate, (digest) => `\`${digest}\``)].join('\n');
    case 'text':
      return [...reports.map((report) => formatText(report, kind, colors)), ...runDigestLines(reports, gate, (digest) => digest)].join('\n');
  }
}

/**
 * The digest of a run, which `--expect-digest` compares: none when no stack was planned, since
 * there is no plan to approve then.
 */
function digestOfRun(reports: readonly PlanReport[]): string | null {
  return reports.some((report) => report.failure === undefined) ? runDigest(reports) : null;
}

/** The digest `--expect-digest` compares, when it is not a single report's own, and what it was compared with. */
function runDigestLines(reports: readonly PlanReport[], gate: DigestGate | undefined, code: (digest: string) => string): string[] {
  const lines: string[] = [];
  const digest = digestOfRun(reports);
  if (reports.length > 1 && digest !== null) lines.push(`Digest of these ${reports.length} reports: ${code(digest)}\n`);
  if (gate && !gate.matches) lines.push(`Does NOT match the reviewed digest ${code(gate.expected)}: not the plan that was reviewed.\n`);
  else if (gate && gate.unacknowledged.length > 0) {
    lines.push(`Matches the reviewed digest, but creates the application registration of ${gate.unacknowledged.map(shown).join(', ')} without --accept-new-registration: not to be applied.\n`);
  } else if (gate) lines.push(`Matches the reviewed digest.\n`);
  return lines;
}

function toJson(reports: readonly PlanReport[], kind: ReviewKind, gate: DigestGate | undefined) {
  const items = (list: readonly ReportItem[]) => list.map(({ address, type, action, message }) => ({ address, type, action, message }));
  return {
    command: kind,
    exitCode: gateExitCode(gate) ?? reviewExitCode(reports),
    digest: digestOfRun(reports),
    ...(gate ? { expectedDigest: gate.expected, newRegistrationsNotAcknowledged: gate.unacknowledged } : {}),
    environments: reports.map((report) => ({
      environment: report.environment,
      terraformVersion: report.terraformVersion ?? null,
      hasChanges: hasChanges(report),
      failure: report.failure ?? null,
      dangers: items(report.dangers),
      drift: items(report.drift),
      changes: items(report.changes),
      digest: report.digest,
    })),
  };
}

/** Sections in reading order: what the command is for comes first after the dangers. */
function sections(report: PlanReport, kind: ReviewKind): [string, readonly ReportItem[]][] {
  const drift: [string, readonly ReportItem[]] = [DRIFT_HEADING, report.drift];
  const changes: [string, readonly ReportItem[]] = [CHANGES_HEADING, report.changes];
  return (kind === 'drift' ? [drift, changes] : [changes, drift]).filter(([, items]) => items.length > 0);
}

function summary(report: PlanReport): string {
  if (report.failure !== undefined) return `not planned: ${report.failure}`;
  if (!hasChanges(report)) return 'no changes: Entra matches the code';
  const count = (n: number, one: string, many: string) => (n === 0 ? [] : [`${n} ${n === 1 ? one : many}`]);
  return [
    ...count(report.dangers.length, 'danger', 'dangers'),
    ...count(report.drift.length, 'change outside Terraform', 'changes outside Terraform'),
    ...count(report.changes.length, 'change to apply', 'changes to apply'),
  ].join(', ');
}

/**
 * Every quoted piece goes through `shown`: a plan quotes what someone typed in the Entra admin
 * center or in a pull request, and a line break there must not forge a report line, nor an escape
 * sequence hide one or drive the terminal.
 */
function formatText(report: PlanReport, kind: ReviewKind, colors: Colors): string {
  const headline = report.failure === undefined ? summary(report) : colors.red(shown(summary(report)));
  const lines = [`${colors.bold(shown(report.environment))}: ${headline}`];
  if (report.dangers.length > 0) {
    lines.push(`  ${colors.red(colors.bold('DANGER'))}`);
    for (const item of report.dangers) lines.push(`    ${colors.red('!')} ${shown(item.message)}  ${colors.dim(shown(item.address))}`);
  }
  for (const [heading, items] of sections(report, kind)) {
    lines.push(`  ${heading}`);
    for (const item of items) {
      const symbol =
        item.action === 'create' ? colors.green(SYMBOL.create) : item.action === 'update' || item.action === 'move' ? colors.yellow(SYMBOL[item.action]) : colors.red(SYMBOL[item.action]);
      lines.push(`    ${symbol} ${shown(item.message)}  ${colors.dim(shown(item.address))}`);
    }
  }
  // A stack that was not planned has no plan to approve: its digest only keeps it apart from any plan.
  if (report.failure === undefined) lines.push(`  ${colors.dim(`digest ${report.digest}`)}`);
  return `${lines.join('\n')}\n`;
}

function formatMarkdown(report: PlanReport, kind: ReviewKind): string {
  const lines = [`### ${TITLE[kind]}: ${markdownCode(report.environment)}`, '', `${report.failure !== undefined ? '❌ ' : hasChanges(report) ? '' : '✅ '}${escapeMarkdown(summary(report))}`, ''];
  if (report.dangers.length > 0) {
    lines.push('> [!CAUTION]');
    for (const item of report.dangers) {
      const [headline, ...rest] = item.message.split(': ');
      const explanation = rest.length > 0 ? `: ${escapeMarkdown(rest.join(': '))}` : '';
      lines.push(`> - **${escapeMarkdown(headline)}**${explanation} (${markdownCode(item.address)})`);
    }
    lines.push('');
  }
  for (const [heading, items] of sections(report, kind)) {
    lines.push(`**${heading}**`, '', '| | change | resource |', '| --- | --- | --- |');
    for (const item of items) lines.push(`| \`${SYMBOL[item.action]}\` | ${escapeMarkdown(item.message)} | ${markdownCode(item.address)} |`);
    lines.push('');
  }
  if (report.failure === undefined) lines.push(`Plan digest: \`${report.digest}\``, '');
  return `${lines.join('\n')}\n`;
}

