import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { colorsFor, formatTable, parseCommandLine, readFormat, readOutputsOption, UserError, type Colors, type ReportFormat } from '../process/command-line';
import type { Environment } from '../environment/environment';
import { loadEnvironments } from '../environment/environment-files';
import { escapeControlCharacters, InputError } from '../process/problem';
import type { TerraformOptions } from '../process/terraform';
import { APPLICATION_ID_OUTPUT, deployedClientId, environmentOutputs, stackOutputs } from '../process/terraform-outputs';
import { adminConsentUrl } from '../construct/vb365';
import { escapeMarkdown, markdownCode } from '../process/markdown';
import { stackFolder, synthOutdir } from '../process/stack-directory';
import { DEFAULT_PARALLEL, Slots } from '../process/slots';
import type { GraphSettings } from '../audit/audit';
import type { GraphIdentity } from '../audit/graph-credentials';

/** Where one customer tenant stands: its consent URL and whether its stack exists. */
export interface CustomerTenantStatus {
  readonly name: string;
  readonly tenantId: string;
  /** `<environment>-tenant-<name>`. */
  readonly stack: string;
  /** The tenant's admin consent URL; unknown until the environment is deployed. */
  readonly adminConsentUrl?: string;
  /** Whether `cdktf.out/stacks/<stack>` holds the synthesized stack. */
  readonly synthesized: boolean;
  /** Whether the stack's state holds the service principal; undefined when not synthesized or terraform could not tell. */
  readonly deployed?: boolean;
  /** Why terraform could not tell whether a synthesized stack is deployed. */
  readonly unknownBecause?: string;
  /** With `--consent`: whether its users can sign in, as Graph says (the audit's reads). */
  readonly consent?: { readonly consented?: boolean; readonly state: string };
}

/** What `npm run tenants -- <environment>` shows. */
export interface CustomerTenantsReport {
  readonly environment: string;
  /** The environment file, for messages. */
  readonly file: string;
  /** The application's client ID, from the environment's Terraform outputs; undefined before it is deployed. */
  readonly clientId?: string;
  /** Where the client ID came from, or why it is unknown. */
  readonly clientIdSource: string;
  /** The consent URL for any work or school tenant, for customers not listed. */
  readonly organizationsConsentUrl?: string;
  readonly tenants: readonly CustomerTenantStatus[];
}

export interface CustomerTenantsOptions extends TerraformOptions {
  readonly projectRoot: string;
  readonly environment: string;
  /** A saved `terraform output -json` of the environment's stack, used instead of asking terraform. */
  readonly outputsFile?: string;
  /** Where a relative `outputsFile` starts. @default the current folder */
  readonly cwd?: string;
  /** Read each customer's consent from Microsoft Graph, signed in as this identity. @default not read */
  readonly consent?: { readonly identity: GraphIdentity; readonly graph?: GraphSettings };
}

/** The output every deployed tenant stack has. */
const DEPLOYED_OUTPUT = 'service_principal_object_id';

/**
 * The customer tenants of one environment with their admin consent URLs, and whether each tenant
 * stack is synthesized and deployed. Reads Terraform outputs only (`terraform output -json`, or a
 * saved copy); never plans, synthesizes or changes anything.
 */
export async function customerTenantsReport(options: CustomerTenantsOptions): Promise<CustomerTenantsReport> {
  const projectRoot = resolve(options.projectRoot);
  const loaded = loadEnvironments({ projectRoot, only: [options.environment] });
  if (loaded.problems.length > 0) throw new InputError(loaded.problems);
  const env = loaded.environments[0];
  const outdir = synthOutdir(projectRoot);

  const home = await clientIdOf(env, { ...options, stackDir: stackFolder(outdir, env.name) });
  // A service provider's hundreds of tenant states are read a few at a time, not one after another.
  const slots = new Slots(DEFAULT_PARALLEL);
  const consent = options.consent ? await consentOf(env, home.clientId, options.consent, options.env) : undefined;
  const tenants = await Promise.all(env.customerTenants.map(async (tenant): Promise<CustomerTenantStatus> => {
    const stackDir = stackFolder(outdir, tenant.stackName);
    const synthesized = existsSync(join(stackDir, 'cdk.tf.json'));
    // Terraform can only read a stack's state from its synthesized folder.
    const deployment = synthesized ? await slots.run(() => deploymentOf(stackDir, tenant.stackName, options)) : {};
    return {
      name: tenant.name,
      tenantId: tenant.tenantId,
      stack: tenant.stackName,
      adminConsentUrl: home.clientId ? adminConsentUrl(env.cloud, home.clientId, tenant.tenantId) : undefined,
      synthesized,
      ...deployment,
      ...(consent ? { consent: consent(tenant.name) } : {}),
    };
  }));
  return {
    environment: env.name,
    file: env.file,
    clientId: home.clientId,
    clientIdSource: home.source,
    organizationsConsentUrl: home.clientId ? adminConsentUrl(env.cloud, home.clientId) : undefined,
    tenants,
  };
}

type ClientId = { readonly clientId?: string; readonly source: string };

async function clientIdOf(env: Environment, options: CustomerTenantsOptions & { stackDir: string }): Promise<ClientId> {
  const found = await environmentOutputs(env, options);
  if (found.outputs === undefined) return { source: `unknown until ${env.name} is deployed (${found.unknownBecause})` };
  const clientId = deployedClientId(found.outputs, options.outputsFile ?? `${env.name}: terraform output`);
  if (clientId) return { clientId, source: found.source };
  if (options.outputsFile === undefined) return { source: `unknown until ${env.name} is deployed (its state has no application yet)` };
  throw new UserError(
    `${options.outputsFile}: has no ${APPLICATION_ID_OUTPUT} output; save the outputs of a deployed environment: terraform -chdir=cdktf.out/stacks/${env.name} output -json > ${options.outputsFile}`,
  );
}

type ConsentOf = (tenant: string) => NonNullable<CustomerTenantStatus['consent']>;

/** Each customer's consent from the reads `npm run audit` makes in its tenant. */
async function consentOf(env: Environment, clientId: string | undefined, options: NonNullable<CustomerTenantsOptions['consent']>, vars?: NodeJS.ProcessEnv): Promise<ConsentOf> {
  if (!clientId) return () => ({ state: `unknown until ${env.name} is deployed` });
  // Loaded here: reading Graph loads @azure/identity, which listing tenants without --consent does not need.
  const { customerConsent } = await import('../audit/audit');
  const read = await customerConsent(env, clientId, { identity: options.identity, graph: options.graph, env: vars });
  return (tenant) => {
    const found = read.get(tenant);
    if (found?.consent) return { consented: found.consent.consented, state: found.consent.state };
    return { state: `unknown: ${found?.failure ?? 'not read'}` };
  };
}

async function deploymentOf(stackDir: string, stack: string, options: TerraformOptions): Promise<Pick<CustomerTenantStatus, 'deployed' | 'unknownBecause'>> {
  try {
    const outputs = await stackOutputs(stackDir, stack, options);
    return { deployed: outputs.get(DEPLOYED_OUTPUT) !== undefined };
  } catch (error) {
    if (error instanceof UserError) return { unknownBecause: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The command

const USAGE = 'npm run tenants -- <environment> [--format text|markdown|json] [--outputs [<environment>=]<terraform output -json file>] [--consent]';
const DESCRIPTION = `Lists the customer tenants of an environment with their admin consent URLs and how far their
stacks are. The client ID is read with \`terraform output -json\` from the environment's stack, or from a
saved copy given with --outputs. --consent also reads each customer's tenant in Microsoft Graph, as
npm run audit does, and shows whether its users can sign in (service principal, enabled, admin consent).
Exit code: 0, or 1 on a mistake.`;

export interface TenantsRequest {
  readonly environment: string;
  readonly format: ReportFormat;
  readonly outputsFile?: string;
  /** `--consent`: read each customer's consent from Graph. */
  readonly consent?: boolean;
}

export function parseTenantsArguments(argv: readonly string[]): TenantsRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { format: { type: 'string' }, outputs: { type: 'string' }, consent: { type: 'boolean' } }, allowPositionals: true },
    USAGE,
    DESCRIPTION,
  );
  const format = readFormat(values.format);
  if (positionals.length !== 1) {
    throw new UserError(`${positionals.length === 0 ? 'name the environment' : `name one environment; got ${positionals.join(', ')}`}`, USAGE);
  }
  const environment = positionals[0];
  const consent = values.consent ? { consent: true } : {};
  if (values.outputs === undefined) return { environment, format, ...consent };
  const outputs = readOutputsOption(values.outputs);
  if (outputs.environment !== undefined && outputs.environment !== environment) {
    throw new UserError(`--outputs ${values.outputs}: names ${outputs.environment}, but the report is of ${environment}`);
  }
  return { environment, format, outputsFile: outputs.file, ...consent };
}

/** The whole of `npm run tenants`: the report to stdout. Returns the exit code. */
export async function tenantsCommand(
  argv: readonly string[],
  io: {
    readonly stdout: { write(text: string): unknown; isTTY?: boolean };
    readonly projectRoot: string;
    /** Where a relative `--outputs` path starts. @default the current folder */
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
  },
): Promise<number> {
  const request = parseTenantsArguments(argv);
  const identity = request.consent ? (await import('../audit/graph-credentials')).graphIdentityFromEnvironment(io.env ?? process.env, { cwd: io.cwd }) : undefined;
  const report = await customerTenantsReport({
    projectRoot: io.projectRoot,
    environment: request.environment,
    outputsFile: request.outputsFile,
    cwd: io.cwd,
    env: io.env,
    ...(identity ? { consent: { identity } } : {}),
  });
  io.stdout.write(formatCustomerTenants(report, request.format, colorsFor(io.stdout)));
  return 0;
}

/** The report in the chosen format; the JSON form is stable: see docs/service-providers.md. */
export function formatCustomerTenants(report: CustomerTenantsReport, format: ReportFormat, colors: Colors): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(report);
    case 'text':
      return formatText(report, colors);
  }
}

function toJson(report: CustomerTenantsReport) {
  return {
    environment: report.environment,
    clientId: report.clientId ?? null,
    clientIdSource: report.clientIdSource,
    organizationsConsentUrl: report.organizationsConsentUrl ?? null,
    tenants: report.tenants.map((t) => ({
      name: t.name,
      tenantId: t.tenantId,
      stack: t.stack,
      adminConsentUrl: t.adminConsentUrl ?? null,
      synthesized: t.synthesized,
      deployed: t.deployed ?? null,
      unknownBecause: t.unknownBecause ?? null,
      consented: t.consent?.consented ?? null,
      consent: t.consent?.state ?? null,
    })),
  };
}

/** The consent column: the state, or "unknown" with the reason on a line of its own. */
function consentCell(tenant: CustomerTenantStatus): string {
  if (!tenant.consent) return '';
  return tenant.consent.consented === undefined ? 'unknown' : tenant.consent.state;
}

function stackState(tenant: CustomerTenantStatus): string {
  if (tenant.deployed === true) return 'deployed';
  if (tenant.deployed === false) return 'synthesized, not deployed';
  return tenant.synthesized ? 'synthesized, deployment unknown' : 'not synthesized (npm run synth)';
}

function headline(report: CustomerTenantsReport): string {
  const count = `${report.tenants.length} customer tenant${report.tenants.length === 1 ? '' : 's'}`;
  const application = report.clientId ? `application ${report.clientId} (from ${report.clientIdSource})` : `client ID ${report.clientIdSource}`;
  return `${report.environment}: ${count}, ${application}`;
}

function formatText(report: CustomerTenantsReport, colors: Colors): string {
  // The client ID's source can be terraform's error text, as the per-tenant lines below.
  const lines = [colors.bold(escapeControlCharacters(headline(report)))];
  if (report.tenants.length === 0) {
    lines.push(`  no customerTenants in ${report.file}`);
  } else {
    const consent = report.tenants.some((t) => t.consent);
    const table = formatTable(
      ['name', 'tenant ID', 'stack', 'stack state', ...(consent ? ['admin consent (Graph)'] : []), 'admin consent URL'],
      report.tenants.map((t) => [t.name, t.tenantId, t.stack, stackState(t), ...(consent ? [consentCell(t)] : []), t.adminConsentUrl ?? 'unknown until deployed']),
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
    // Terraform's error output, which can quote what the state or Entra holds: shown escaped, as plan and drift do.
    for (const t of report.tenants) if (t.unknownBecause) lines.push(colors.dim(`  ${t.name}: ${escapeControlCharacters(t.unknownBecause)}`));
    for (const t of report.tenants) if (t.consent && t.consent.consented === undefined) lines.push(colors.dim(`  ${t.name}: admin consent ${escapeControlCharacters(t.consent.state)}`));
  }
  if (report.organizationsConsentUrl) lines.push(`  any other organisation: ${report.organizationsConsentUrl}`);
  return `${lines.join('\n')}\n`;
}

function formatMarkdown(report: CustomerTenantsReport): string {
  const lines = [`### Restore Portal customer tenants: ${markdownCode(report.environment)}`, '', escapeMarkdown(headline(report)), ''];
  if (report.tenants.length === 0) {
    lines.push(`No \`customerTenants\` in ${markdownCode(report.file)}.`, '');
  } else {
    const consent = report.tenants.some((t) => t.consent);
    lines.push(
      `| name | tenant ID | stack | stack state |${consent ? ' admin consent (Graph) |' : ''} admin consent URL |`,
      `| --- | --- | --- | --- |${consent ? ' --- |' : ''} --- |`,
    );
    for (const t of report.tenants) {
      const state = escapeMarkdown(t.unknownBecause ? `${stackState(t)}: ${t.unknownBecause}` : stackState(t));
      const consented = consent ? ` ${escapeMarkdown(t.consent?.state ?? '')} |` : '';
      lines.push(`| \`${t.name}\` | \`${t.tenantId}\` | \`${t.stack}\` | ${state} |${consented} ${t.adminConsentUrl ?? 'unknown until deployed'} |`);
    }
    lines.push('');
  }
  if (report.organizationsConsentUrl) lines.push(`Any other organisation: ${report.organizationsConsentUrl}`, '');
  return `${lines.join('\n')}\n`;
}
