import type { Colors, ReportFormat } from '../process/command-line';
import { countFindings, doctorExitCode, type CheckResult, type DoctorReport } from './doctor';
import { MANIFEST_FORMAT_NAMES } from './manifest';
import { escapeMarkdown, markdownCode } from '../process/markdown';
import { escapeControlCharacters as shown } from '../process/problem';

/** Version of the `--format json` document; raised only when a field changes meaning or goes away. */
export const DOCTOR_JSON_VERSION = 1;

/** The doctor's report in the requested format; colours only apply to text. */
export function formatDoctorReport(report: DoctorReport, format: ReportFormat, colors: Colors): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(doctorJson(report), null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(report);
    case 'text':
      return formatText(report, colors);
  }
}

type Status = 'ok' | 'problem' | 'warning';

function statusOf(check: CheckResult): Status {
  if (check.findings.some((f) => f.severity === 'problem')) return 'problem';
  return check.findings.length > 0 ? 'warning' : 'ok';
}

/**
 * The stable machine-readable report: `ok` is false exactly when the exit code is 2; each check has
 * a fixed `check` name, a `status` and its `findings` (`severity`, `field`, `message`).
 */
export function doctorJson(report: DoctorReport) {
  const { problems, warnings } = countFindings(report);
  return {
    version: DOCTOR_JSON_VERSION,
    manifest: report.manifest,
    format: report.format,
    application: {
      displayName: report.application.displayName ?? null,
      clientId: report.application.clientId ?? null,
      objectId: report.application.objectId ?? null,
    },
    environment: report.environment ?? null,
    exitCode: doctorExitCode(report),
    ok: problems === 0,
    problems,
    warnings,
    checks: report.checks.map((check) => ({
      check: check.check,
      title: check.title,
      status: statusOf(check),
      summary: statusOf(check) === 'ok' ? check.summary : null,
      findings: check.findings,
    })),
  };
}

function heading(report: DoctorReport): string {
  const { displayName, clientId } = report.application;
  const name = displayName ? `"${displayName}"` : 'registration without a name';
  const against = report.environment ? `, compared with ${report.environment}` : '';
  return `${name} (application ID ${clientId ?? 'missing'}) in ${report.manifest}, ${MANIFEST_FORMAT_NAMES[report.format]} format${against}`;
}

function verdict(report: DoctorReport): string {
  const { problems, warnings } = countFindings(report);
  const counts = `${problems} problem(s), ${warnings} warning(s)`;
  return problems > 0 ? `${counts}: the Restore Portal needs these fixed` : `${counts}: the registration has what the Restore Portal needs`;
}

function formatText(report: DoctorReport, c: Colors): string {
  const titleWidth = Math.max(...report.checks.map((check) => check.title.length));
  const paint: Record<Status, (s: string) => string> = { ok: c.green, problem: c.red, warning: c.yellow };
  // A manifest is anyone's file: what it says is shown escaped, so a line break cannot forge a finding.
  const lines = [c.bold(shown(heading(report)))];
  for (const check of report.checks) {
    const title = check.title.padEnd(titleWidth);
    if (check.findings.length === 0) {
      lines.push(`  ${paint.ok('ok'.padEnd(7))}  ${title}  ${c.dim(check.summary)}`);
      continue;
    }
    check.findings.forEach((finding, index) => {
      const where = finding.field ? `${finding.field}: ` : '';
      const shownTitle = index === 0 ? title : ' '.repeat(titleWidth);
      lines.push(`  ${paint[finding.severity](finding.severity.padEnd(7))}  ${shownTitle}  ${shown(`${where}${finding.message}`)}`);
    });
  }
  const { problems } = countFindings(report);
  lines.push((problems > 0 ? c.red : c.green)(verdict(report)));
  return `${lines.join('\n')}\n`;
}

const MARKDOWN_STATUS: Record<Status, string> = { ok: '✅ ok', problem: '❌ problem', warning: '⚠️ warning' };

function formatMarkdown(report: DoctorReport): string {
  const lines = [`### Restore Portal registration check: ${markdownCode(report.manifest)}`, '', escapeMarkdown(heading(report)), '', '| | check | finding |', '| --- | --- | --- |'];
  for (const check of report.checks) {
    if (check.findings.length === 0) {
      lines.push(`| ${MARKDOWN_STATUS.ok} | ${escapeMarkdown(check.title)} | ${escapeMarkdown(check.summary)} |`);
      continue;
    }
    for (const finding of check.findings) {
      const where = finding.field ? `${markdownCode(finding.field)}: ` : '';
      lines.push(`| ${MARKDOWN_STATUS[finding.severity]} | ${escapeMarkdown(check.title)} | ${where}${escapeMarkdown(finding.message)} |`);
    }
  }
  lines.push('', `**${escapeMarkdown(verdict(report))}**`);
  return `${lines.join('\n')}\n`;
}

