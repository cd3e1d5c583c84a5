import type { Colors, ReportFormat } from '../process/command-line';
import { escapeMarkdown, markdownCode } from '../process/markdown';
import { escapeControlCharacters as shown } from '../process/problem';
import { auditExitCode, type AuditReport, type EnvironmentAudit, type TenantAudit } from './audit';
import type { AuditFinding } from './audit-finding';

/** Version of the `--format json` document; raised only when a field changes meaning or goes away. */
export const AUDIT_JSON_VERSION = 1;

/** The audit in the requested format. Everything Graph said is shown escaped: a display name is anyone's text. */
export function formatAuditReport(report: AuditReport, format: ReportFormat, colors: Colors): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(auditJson(report), null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(report);
    case 'text':
      return formatText(report, colors);
  }
}

/** The stable machine-readable report (README, "Audit"): fields are only ever added. */
export function auditJson(report: AuditReport) {
  return {
    command: 'audit',
    version: AUDIT_JSON_VERSION,
    exitCode: auditExitCode(report),
    checkedAt: report.checkedAt,
    identity: report.identity,
    overrides: report.overrides,
    environments: report.environments.map((e) => ({
      environment: e.environment,
      file: e.file,
      clientId: e.clientId ?? null,
      clientIdSource: e.clientIdSource,
      graph: e.graph,
      failure: e.failure ?? null,
      notes: e.notes,
      tenants: e.tenants.map((t) => ({
        tenant: t.tenant,
        tenantId: t.tenantId,
        stack: t.stack,
        consented: t.consent?.consented ?? null,
        consent: t.consent?.state ?? null,
        failure: t.failure ?? null,
        findings: t.findings.map((f) => ({
          kind: f.kind,
          object: f.object,
          message: f.message,
          id: f.id ?? null,
          added: f.added ?? null,
          fix: f.fix,
          command: f.command ?? null,
        })),
      })),
    })),
    notes: report.notes,
  };
}

function counts(report: AuditReport): { findings: number; failures: number; audited: number } {
  const tenants = report.environments.flatMap((e) => e.tenants);
  return {
    findings: tenants.reduce((n, t) => n + t.findings.length, 0),
    failures: report.environments.filter((e) => e.failure).length + tenants.filter((t) => t.failure).length,
    audited: tenants.filter((t) => !t.failure).length,
  };
}

function verdict(report: AuditReport): string {
  const { findings, failures, audited } = counts(report);
  if (findings > 0) {
    const found = `${findings} finding(s): Entra holds what the code did not put there, or lacks what the Restore Portal needs`;
    return failures === 0 ? found : `${found}; ${failures} could not be audited`;
  }
  // Nothing found where nothing was read says nothing of Entra: never the all-clear.
  if (audited === 0) return failures === 0 ? 'nothing audited: no environment to audit' : `nothing audited: ${failures} could not be audited, so this says nothing of what Entra holds`;
  if (failures === 0) return 'nothing found: Entra holds what the code puts there and nothing else';
  return `nothing found in the ${audited} tenant(s) audited; ${failures} could not be audited`;
}

function tenantTitle(t: TenantAudit): string {
  return t.tenant === 'home' ? `home tenant ${t.tenantId}` : `customer ${t.tenant} (tenant ${t.tenantId}, stack ${t.stack})`;
}

function environmentTitle(e: EnvironmentAudit): string {
  return e.clientId ? `${e.environment}: application ${e.clientId} (from ${e.clientIdSource}), read from ${e.graph}` : `${e.environment}: client ID ${e.clientIdSource}`;
}

function findingLines(f: AuditFinding): { what: string; details: string } {
  const details = [f.added ? `added ${f.added}` : '', f.id ? `ID ${f.id}` : ''].filter(Boolean).join(', ');
  return { what: `${f.object}: ${f.message}`, details };
}

function formatText(report: AuditReport, c: Colors): string {
  const lines = [c.bold(shown(`audit of Entra ID against the code, ${report.checkedAt}, signed in with the ${report.identity}`))];
  for (const override of report.overrides) lines.push(c.yellow(shown(`  ${override}: tokens and reads went there instead of Microsoft's endpoints`)));
  for (const e of report.environments) {
    lines.push(c.bold(shown(environmentTitle(e))));
    if (e.failure) lines.push(c.yellow(shown(`  not audited: ${e.failure}`)));
    for (const note of e.notes) lines.push(c.dim(shown(`  note: ${note}`)));
    for (const t of e.tenants) {
      const state = t.failure ? c.yellow('not audited') : t.findings.length === 0 ? c.green('nothing found') : c.red(`${t.findings.length} finding(s)`);
      lines.push(`  ${shown(tenantTitle(t))}: ${t.consent ? `${shown(t.consent.state)}, ` : ''}${state}`);
      if (t.failure) lines.push(c.yellow(shown(`    ${t.failure}`)));
      for (const f of t.findings) {
        const { what, details } = findingLines(f);
        lines.push(`    ${c.red('✗')} ${shown(what)}`);
        if (details) lines.push(c.dim(`      ${shown(details)}`));
        lines.push(`      ${shown(`what to do: ${f.fix}${f.command ? `: ${f.command}` : ''}`)}`);
      }
    }
  }
  for (const note of report.notes) lines.push(c.dim(shown(`note: ${note}`)));
  const { findings, failures } = counts(report);
  lines.push((failures > 0 ? c.yellow : findings > 0 ? c.red : c.green)(shown(verdict(report))));
  return `${lines.join('\n')}\n`;
}

const MARK = { found: '❌', clean: '✅', failed: '⚠️' };
/** A job summary holds 1 MiB: past this many finding rows, the markdown report counts the rest and points to the JSON. */
export const MAX_MARKDOWN_FINDINGS = 300;

function formatMarkdown(report: AuditReport): string {
  const lines: string[] = [];
  let rows = 0;
  for (const e of report.environments) {
    lines.push(`### Entra audit: ${markdownCode(e.environment)}`, '', escapeMarkdown(environmentTitle(e)), '');
    if (e.failure) lines.push(`${MARK.failed} **Not audited:** ${escapeMarkdown(e.failure)}`, '');
    for (const note of e.notes) lines.push(`- ${escapeMarkdown(note)}`);
    if (e.notes.length > 0) lines.push('');
    if (e.tenants.length === 0) continue;
    lines.push('| tenant | admin consent | finding | added | what to do |', '| --- | --- | --- | --- | --- |');
    for (const t of e.tenants) {
      const tenant = escapeMarkdown(tenantTitle(t));
      const consent = t.consent ? escapeMarkdown(t.consent.state) : 'unknown';
      if (t.failure) {
        lines.push(`| ${tenant} | ${consent} | ${MARK.failed} not audited: ${escapeMarkdown(t.failure)} | | |`);
      } else if (t.findings.length === 0) {
        lines.push(`| ${tenant} | ${consent} | ${MARK.clean} nothing found | | |`);
      }
      for (const f of t.findings) {
        if (++rows > MAX_MARKDOWN_FINDINGS) continue;
        const { what } = findingLines(f);
        const fix = `${escapeMarkdown(f.fix)}${f.command ? `: ${markdownCode(f.command)}` : ''}`;
        lines.push(`| ${tenant} | ${consent} | ${MARK.found} ${escapeMarkdown(what)}${f.id ? ` (ID ${markdownCode(f.id)})` : ''} | ${escapeMarkdown(f.added ?? '')} | ${fix} |`);
      }
    }
    lines.push('');
  }
  if (rows > MAX_MARKDOWN_FINDINGS) {
    lines.push(`${MARK.failed} ${rows - MAX_MARKDOWN_FINDINGS} more finding(s) not shown here: \`npm run audit -- --format json\` lists them all.`, '');
  }
  if (report.overrides.length > 0) lines.push(`${MARK.failed} ${escapeMarkdown(`Read through ${report.overrides.join(', ')}, not Microsoft's endpoints.`)}`, '');
  for (const note of report.notes) lines.push(`- ${escapeMarkdown(note)}`);
  lines.push(`**${escapeMarkdown(verdict(report))}** (signed in with the ${escapeMarkdown(report.identity)}, ${escapeMarkdown(report.checkedAt)})`);
  return `${lines.join('\n')}\n`;
}
