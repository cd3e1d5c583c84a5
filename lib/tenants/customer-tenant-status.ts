import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { colorsFor, formatTable, parseCommandLine, readFormat, readOutputsOption, UserError, type Colors, type ReportFormat } from '../process/command-line';
import type { Environment } from '../environment/environment';
import { loadEnvironments } from '../environment/environment-files';
import { readGuid } from '../input/field-reader';
import { escapeControlCharacters, InputError } from '../process/problem';
import type { TerraformOptions } from '../process/terraform';
import { checkOutputsBelong, readOutputsFile, stackOutputs, type TerraformOutputs } from '../process/terraform-outputs';
import { adminConsentUrl } from '../construct/vb365';
import { escapeMarkdown, markdownCode } from '../process/markdown';
import { stackFolder, synthOutdir } from '../process/stack-directory';
import { DEFAULT_PARALLEL, Slots } from '../process/slots';

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
}

const APPLICATION_ID_OUTPUT = 'application_id';
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

  const home = options.outputsFile
    ? clientIdFromFile(options.outputsFile, options.cwd ?? process.cwd(), env)
    : await clientIdFromTerraform(stackFolder(outdir, env.name), env, options);
  // A service provider's hundreds of tenant states are read a few at a time, not one after another.
  const slots = new Slots(DEFAULT_PARALLEL);
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

function clientIdFromFile(file: string, cwd: string, env: Environment): ClientId {
  const outputs = readOutputsFile(file, cwd);
  const clientId = checkedClientId(outputs, file, env);
  if (!clientId) {
    throw new UserError(`${file}: has no ${APPLICATION_ID_OUTPUT} output; save the outputs of a deployed environment: terraform -chdir=cdktf.out/stacks/${env.name} output -json > ${file}`);
  }
  return { clientId, source: file };
}

async function clientIdFromTerraform(stackDir: string, env: Environment, options: TerraformOptions): Promise<ClientId> {
  const unknown = (why: string): ClientId => ({ source: `unknown until ${env.name} is deployed (${why})` });
  if (!existsSync(join(stackDir, 'cdk.tf.json'))) return unknown('not synthesized: npm run synth, or give --outputs');
  let outputs: TerraformOutputs;
  try {
    outputs = await stackOutputs(stackDir, env.name, options);
  } catch (error) {
    if (error instanceof UserError) return unknown(`${error.message}; or give --outputs`);
    throw error;
  }
  const clientId = checkedClientId(outputs, `${env.name}: terraform output`, env);
  return clientId ? { clientId, source: `terraform output of ${env.name}` } : unknown('its state has no application yet');
}

/** The client ID from outputs, after checking they belong to the environment's tenant. */
function checkedClientId(outputs: TerraformOutputs, label: string, env: Environment): string | undefined {
  checkOutputsBelong(outputs, label, env);
  const clientId = outputs.get(APPLICATION_ID_OUTPUT);
  if (clientId === undefined) return undefined;
  return readGuid(clientId, APPLICATION_ID_OUTPUT, (path, message) => {
    throw new UserError(`${label}: ${path}: ${message}`);
  }, 'an application ID, a GUID');
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

const USAGE = 'npm run tenants -- <environment> [--format text|markdown|json] [--outputs [<environment>=]<terraform output -json file>]';
const DESCRIPTION = `Lists the customer tenants of an environment with their admin consent URLs and how far their
stacks are. The client ID is read with \`terraform output -json\` from the environment's stack, or from a
saved copy given with --outputs. Exit code: 0, or 1 on a mistake.`;

export interface TenantsRequest {
  readonly environment: string;
  readonly format: ReportFormat;
  readonly outputsFile?: string;
}

export function parseTenantsArguments(argv: readonly string[]): TenantsRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { format: { type: 'string' }, outputs: { type: 'string' } }, allowPositionals: true },
    USAGE,
    DESCRIPTION,
  );
  const format = readFormat(values.format);
  if (positionals.length !== 1) {
    throw new UserError(`${positionals.length === 0 ? 'name the environment' : `name one environment; got ${positionals.join(', ')}`}`, USAGE);
  }
  const environment = positionals[0];
  if (values.outputs === undefined) return { environment, format };
  const outputs = readOutputsOption(values.outputs);
  if (outputs.environment !== undefined && outputs.environment !== environment) {
    throw new UserError(`--outputs ${values.outputs}: names ${outputs.environment}, but the report is of ${environment}`);
  }
  return { environment, format, outputsFile: outputs.file };
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
  const report = await customerTenantsReport({
    projectRoot: io.projectRoot,
    environment: request.environment,
    outputsFile: request.outputsFile,
    cwd: io.cwd,
    env: io.env,
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
    })),
  };
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
    const table = formatTable(
      ['name', 'tenant ID', 'stack', 'stack state', 'admin consent URL'],
      report.tenants.map((t) => [t.name, t.tenantId, t.stack, stackState(t), t.adminConsentUrl ?? 'unknown until deployed']),
    );
    lines.push(...table.split('\n').map((line) => `  ${line}`));
    // Terraform's error output, which can quote what the state or Entra holds: shown escaped, as plan and drift do.
    for (const t of report.tenants) if (t.unknownBecause) lines.push(colors.dim(`  ${t.name}: ${escapeControlCharacters(t.unknownBecause)}`));
  }
  if (report.organizationsConsentUrl) lines.push(`  any other organisation: ${report.organizationsConsentUrl}`);
  return `${lines.join('\n')}\n`;
}

function formatMarkdown(report: CustomerTenantsReport): string {
  const lines = [`### Restore Portal customer tenants: ${markdownCode(report.environment)}`, '', escapeMarkdown(headline(report)), ''];
  if (report.tenants.length === 0) {
    lines.push(`No \`customerTenants\` in ${markdownCode(report.file)}.`, '');
  } else {
    lines.push('| name | tenant ID | stack | stack state | admin consent URL |', '| --- | --- | --- | --- | --- |');
    for (const t of report.tenants) {
      const state = escapeMarkdown(t.unknownBecause ? `${stackState(t)}: ${t.unknownBecause}` : stackState(t));
      lines.push(`| \`${t.name}\` | \`${t.tenantId}\` | \`${t.stack}\` | ${state} | ${t.adminConsentUrl ?? 'unknown until deployed'} |`);
    }
    lines.push('');
  }
  if (report.organizationsConsentUrl) lines.push(`Any other organisation: ${report.organizationsConsentUrl}`, '');
  return `${lines.join('\n')}\n`;
}
