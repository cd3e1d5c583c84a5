import { existsSync } from 'node:fs';
import { certificateFactsFromPem, formatDate, type CertificateFacts } from './certificate';
import { expiryOf, type ExpiryStatus } from './certificate-expiry';
import { colorsFor, formatTable, UserError, type Colors, type ReportFormat } from '../process/command-line';
import type { Environment } from '../environment/environment';
import { checkOutputsNames, loadEnvironments, type EnvironmentFilesOptions } from '../environment/environment-files';
import { isExample } from '../environment/example-environment';
import { escapeControlCharacters as shown, InputError } from '../process/problem';
import { stackDirectory } from '../process/stack-directory';
import {
  checkOutputsBelong,
  outputString,
  readOutputsFile,
  selfSignedOutputNames,
  stackOutputs,
  type TerraformOutputs,
} from '../process/terraform-outputs';
import { escapeMarkdown } from '../process/markdown';

export interface CertificateReportOptions extends EnvironmentFilesOptions {
  /**
   * Saved `terraform output -json` files by environment name, read instead of running terraform.
   * @default run `terraform output -json` in each stack that has self-signed certificates
   */
  readonly outputsFiles?: ReadonlyMap<string, string>;
}

/**
 * `unavailable`: a self-signed certificate whose values are not in any Terraform outputs at hand.
 * `notYetValid`: its validity has not begun; staged for a rotation, VB365 cannot sign in with it yet.
 */
export type CertificateStatus = ExpiryStatus | 'unavailable' | 'notYetValid';

/** One certificate of one environment. The JSON of `npm run certs -- --format json` is a list of these. */
export interface CertificateRow {
  readonly environment: string;
  readonly source: 'file' | 'selfSigned';
  /** The path in the environment file, or the self-signed entry's name. */
  readonly certificate: string;
  readonly subject: string;
  /** SHA-1, upper-case hex; absent when unavailable. */
  readonly thumbprint?: string;
  /** RFC 3339; absent when unavailable. */
  readonly notAfter?: string;
  /** Whole days left, negative once expired; absent when unavailable. */
  readonly daysLeft?: number;
  /** The environment's `expiryWarningDays`. */
  readonly warningDays: number;
  readonly status: CertificateStatus;
  /** Why the values are unavailable and how to get them. */
  readonly note?: string;
}

export interface CertificateReport {
  /** When the report was made (RFC 3339): days left count from here. */
  readonly checkedAt: string;
  readonly certificates: readonly CertificateRow[];
  /** Examples passed by (all-zero tenant, never deployed), when no environment was named. */
  readonly examples: readonly Environment[];
}

/**
 * Every certificate of every environment with its expiry: file certificates from the files (offline),
 * self-signed ones from their stack's Terraform outputs where those can be had.
 * @throws InputError when an environment file is invalid; UserError when a given outputs file is unusable
 */
export async function certificateReport(options: CertificateReportOptions): Promise<CertificateReport> {
  const now = options.now ?? new Date();
  const { environments, problems } = loadEnvironments({ ...options, now, allowExpired: true });
  if (problems.length > 0) throw new InputError(problems);
  checkOutputsNames(options.outputsFiles?.keys() ?? [], environments, options);
  // Like plan and drift: an example has never been deployed, so it is reported only when named.
  const examples = options.only ? [] : environments.filter(isExample);
  const certificates: CertificateRow[] = [];
  for (const environment of environments.filter((e) => !examples.includes(e))) certificates.push(...(await rowsOf(environment, options, now)));
  return { checkedAt: formatDate(now), certificates, examples };
}

async function rowsOf(environment: Environment, options: CertificateReportOptions, now: Date): Promise<CertificateRow[]> {
  // Terraform is asked once per environment, and only when it has self-signed certificates.
  const selfSigned = environment.certificates.some((c) => c.source === 'selfSigned');
  const source: OutputsResult = selfSigned ? await outputsOf(environment, options) : { problem: 'no self-signed certificate' };
  const warningDays = environment.expiryWarningDays;
  return environment.certificates.map((certificate) => {
    const row = (subject: string, values: Expiring | Unavailable): CertificateRow => ({
      environment: environment.name,
      source: certificate.source,
      certificate: certificate.source === 'file' ? certificate.label : certificate.name,
      subject,
      // Listed so that JSON keys keep one order whatever the status.
      thumbprint: undefined,
      notAfter: undefined,
      daysLeft: undefined,
      warningDays,
      ...values,
    });
    if (certificate.source === 'file') return row(certificate.subject, expiring(certificate, now, warningDays));
    if ('problem' in source) return row(certificate.subject, { status: 'unavailable', note: source.problem });
    const found = selfSignedFacts(source.outputs, certificate.name, source.label, environment.name);
    if ('note' in found) return row(certificate.subject, { status: 'unavailable', note: found.note });
    return row(found.facts.subject, expiring(found.facts, now, warningDays));
  });
}

type Expiring = Required<Pick<CertificateRow, 'thumbprint' | 'notAfter' | 'daysLeft'>> & { status: ExpiryStatus | 'notYetValid' };
type Unavailable = { status: 'unavailable'; note: string };

function expiring(facts: CertificateFacts, now: Date, warningDays: number): Expiring {
  const expiry = expiryOf(facts.notAfter, now, warningDays);
  const status = facts.notBefore.getTime() > now.getTime() ? 'notYetValid' : expiry.status;
  return { thumbprint: facts.thumbprint, notAfter: formatDate(facts.notAfter), daysLeft: expiry.daysLeft, status };
}

type OutputsResult = { readonly outputs: TerraformOutputs; readonly label: string } | { readonly problem: string };

/**
 * A saved outputs file must be usable: the user named it. Running terraform may fail for reasons
 * that are no mistake (not deployed yet, no credentials in this job): the report says so instead.
 */
async function outputsOf(env: Environment, options: CertificateReportOptions): Promise<OutputsResult> {
  const environment = env.name;
  const file = options.outputsFiles?.get(environment);
  if (file) {
    const outputs = readOutputsFile(file, options.projectRoot);
    checkOutputsBelong(outputs, file, env);
    return { outputs, label: file };
  }
  const stackDir = stackDirectory(options.projectRoot, environment);
  const saved = `pass --outputs ${environment}=<terraform output -json file>`;
  // One remedy per cause: a stack folder to make, terraform's own complaint (it says what, e.g. "run
  // terraform init"), or, once the state is read, a deployment (selfSignedFacts).
  if (!existsSync(stackDir)) {
    return { problem: `${environment}: its stack is not synthesized here, so its state cannot be read: npm run plan -- ${environment} synthesizes and initializes it; or ${saved}` };
  }
  try {
    return { outputs: await stackOutputs(stackDir, environment), label: `terraform output of ${environment}` };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { problem: `${error.message}; or ${saved}` };
  }
}

function selfSignedFacts(outputs: TerraformOutputs, name: string, label: string, environment: string): { facts: CertificateFacts } | { note: string } {
  const output = selfSignedOutputNames(name).pem;
  const pem = outputString(outputs, output);
  if (pem === undefined) {
    // Every deployed environment stack has these outputs; without them the state is empty.
    const deployed = outputs.has('application_id') || outputs.has('tenant_id');
    return {
      note: deployed
        ? `${label} has no output ${output}: Terraform makes the certificate when ${environment} is next applied`
        : `${label} is empty: ${environment} is not deployed yet, and Terraform makes the certificate when it is applied (npx cdktf deploy ${environment}, or the apply workflow)`,
    };
  }
  const read = certificateFactsFromPem(pem);
  if ('problem' in read) throw new UserError(`${label}: output ${output} ${read.problem}`);
  return read;
}

/**
 * 0 when every certificate is valid beyond its warning window, 2 when any expires within it or has
 * expired, 1 when any could not be read: a scheduled check must not pass on what it never saw.
 */
export function certificateReportExitCode(report: CertificateReport): 0 | 1 | 2 {
  if (report.certificates.some((c) => c.status === 'unavailable')) return 1;
  return report.certificates.some((c) => c.status === 'expiring' || c.status === 'expired') ? 2 : 0;
}

const HEADER = ['environment', 'source', 'certificate', 'subject', 'thumbprint', 'not after', 'days left', 'status'];

export function formatCertificateReport(report: CertificateReport, format: ReportFormat, colors: Colors = colorsFor({})): string {
  if (format === 'json') return JSON.stringify({ checkedAt: report.checkedAt, certificates: report.certificates }, null, 2);
  const cells = (c: CertificateRow) => [
    c.environment,
    c.source,
    c.certificate,
    c.subject,
    c.thumbprint ?? '-',
    c.notAfter ?? '-',
    c.daysLeft === undefined ? '-' : String(c.daysLeft),
    c.status,
  ];
  const notes = report.certificates
    .filter((c) => c.note)
    .map((c) => `${c.environment} ${c.certificate}: not available (${c.note})`);
  const summary = summaryOf(report);
  // No environment but examples: a table of headers alone would read as a check that passed.
  if (report.certificates.length === 0) return format === 'markdown' ? escapeMarkdown(summary) : summary;
  if (format === 'markdown') {
    const row = (values: readonly string[]) => `| ${values.map(escapeMarkdown).join(' | ')} |`;
    return [
      row(HEADER),
      `|${HEADER.map(() => ' --- ').join('|')}|`,
      ...report.certificates.map((c) => row(cells(c))),
      '',
      escapeMarkdown(summary),
      ...notes.map((n) => `- ${escapeMarkdown(n)}`),
    ].join('\n');
  }
  // The status is the last column, so colouring it cannot misalign the others.
  const paint = { valid: colors.green, expiring: colors.yellow, expired: colors.red, unavailable: colors.dim, notYetValid: colors.yellow };
  const [header, ...rows] = formatTable(
    HEADER,
    // A certificate's subject is whatever its maker wrote, a note quotes terraform: shown escaped.
    report.certificates.map((c) => [...cells(c).slice(0, -1).map(shown), paint[c.status](c.status)]),
  ).split('\n');
  return [colors.bold(header), ...rows, '', summary, ...notes.map(shown)].join('\n');
}

function summaryOf(report: CertificateReport): string {
  const count = (status: CertificateStatus) => report.certificates.filter((c) => c.status === status).length;
  const parts = [
    [count('expired'), 'expired'],
    [count('expiring'), 'within the warning window'],
    [count('unavailable'), 'not available'],
    [count('notYetValid'), 'not valid yet'],
  ].filter(([n]) => n) as [number, string][];
  if (report.certificates.length === 0) return 'no certificate to check: no environment but examples (name one to check it)';
  const total = `${report.certificates.length} certificate(s)`;
  if (parts.length === 0) return `${total}, all valid beyond their warning window.`;
  return `${total}: ${parts.map(([n, what]) => `${n} ${what}`).join(', ')}.`;
}
