import { resolve } from 'node:path';
import { certificateFactsFromPem, formatDate } from '../certificates/certificate';
import type { Environment } from '../environment/environment';
import { checkOutputsNames, loadEnvironments } from '../environment/environment-files';
import { exampleNote, isExample } from '../environment/example-environment';
import { adminConsentUrl } from '../construct/vb365';
import { UserError } from '../process/command-line';
import { InputError } from '../process/problem';
import { DEFAULT_PARALLEL, Slots } from '../process/slots';
import { stackFolder, synthOutdir } from '../process/stack-directory';
import type { TerraformOptions } from '../process/terraform';
import { deployedClientId, environmentOutputs, outputString, selfSignedOutputNames, type EnvironmentOutputs } from '../process/terraform-outputs';
import { DELETED_REGISTRATION_CONSEQUENCE, deletedRegistrationRemedy } from '../review/plan-failure';
import { shardOf, type Shard } from '../review/plan-shards';
import { auditApplication } from './application-audit';
import type { AuditFinding } from './audit-finding';
import { AzCommands } from './az-commands';
import { GraphClient, GraphError, type GraphClientOptions } from './graph-client';
import type { GraphIdentity } from './graph-credentials';
import { graphEndpoints, type GraphEndpoints } from './graph-endpoints';
import { readApplication, readServicePrincipal } from './registration-reads';
import { auditServicePrincipal, type Consent } from './service-principal-audit';

/** The audit of one tenant: the application's (at home) and the service principal's findings, or why it could not be read. */
export interface TenantAudit {
  /** `home` for the environment's own tenant, else the customer's name. */
  readonly tenant: string;
  readonly tenantId: string;
  /** The stack that makes what is audited there. */
  readonly stack: string;
  /** Whether the tenant's users can sign in; undefined when it could not be read. */
  readonly consent?: Consent;
  readonly findings: readonly AuditFinding[];
  /** Why the tenant could not be audited (or not wholly): one line. */
  readonly failure?: string;
}

export interface EnvironmentAudit {
  readonly environment: string;
  readonly file: string;
  readonly clientId?: string;
  /** Where the client ID came from, or why it is unknown. */
  readonly clientIdSource: string;
  /** The Graph it read. */
  readonly graph: string;
  /** Why the environment could not be audited at all. */
  readonly failure?: string;
  /** Things worth knowing that are no finding (a self-signed certificate not deployed yet). */
  readonly notes: readonly string[];
  readonly tenants: readonly TenantAudit[];
}

export interface AuditReport {
  /** When the audit ran, RFC 3339. */
  readonly checkedAt: string;
  /** How the audit signed in (never a secret). */
  readonly identity: string;
  /** GRAPH_ENDPOINT / AZURE_AUTHORITY_HOST in effect: where tokens went. */
  readonly overrides: readonly string[];
  readonly environments: readonly EnvironmentAudit[];
  /** Examples passed by. */
  readonly notes: readonly string[];
}

/** Graph's request settings; tests and the bench shorten them. */
export type GraphSettings = Partial<Pick<GraphClientOptions, 'timeoutMs' | 'attempts' | 'maxRetryWaitMs'>>;

export interface AuditOptions extends TerraformOptions {
  readonly projectRoot: string;
  /** Environments to audit. @default every one but examples */
  readonly environments?: readonly string[];
  /** Saved `terraform output -json` files by environment name (relative to the project root), instead of asking terraform. */
  readonly outputsFiles?: ReadonlyMap<string, string>;
  /** Only the tenants whose stacks are in this part, as `npm run drift -- --shard` plans them. */
  readonly shard?: Shard;
  /** Tenants audited at once. @default DEFAULT_PARALLEL */
  readonly parallel?: number;
  readonly identity: GraphIdentity;
  readonly graph?: GraphSettings;
  /** Told of each finished tenant and of retries, for progress on stderr. */
  readonly onProgress?: (line: string) => void;
  readonly now?: Date;
}

/**
 * Reads each environment's registration live from Microsoft Graph (read-only) and compares it with
 * the code: the application and its service principal in the environment's tenant, the service
 * principal and its grants in each customer tenant. Tenants are audited `parallel` at a time, each
 * with its own token; one that cannot be read does not stop the others.
 * @throws InputError for problems in the environment files; UserError for a mistake in how it was asked
 */
export async function auditEnvironments(options: AuditOptions): Promise<AuditReport> {
  const now = options.now ?? new Date();
  const projectRoot = resolve(options.projectRoot);
  const only = options.environments && options.environments.length > 0 ? options.environments : undefined;
  const loaded = loadEnvironments({ projectRoot, only, now, allowExpired: true });
  if (loaded.problems.length > 0) throw new InputError(loaded.problems);
  checkOutputsNames(options.outputsFiles?.keys() ?? [], loaded.environments, { projectRoot });
  const examples = loaded.environments.filter(isExample);
  if (only && examples.length > 0) throw new UserError(examples.map(exampleNote).join('; '));
  const environments = loaded.environments.filter((e) => !isExample(e));
  const vars = options.env ?? process.env;
  const endpoints = new Map(environments.map((env) => [env.name, graphEndpoints(env.cloud, vars)]));
  const slots = new Slots(options.parallel ?? DEFAULT_PARALLEL);
  const total = { done: 0, count: 0 };
  const audits = await Promise.all(
    environments.map((env) => auditEnvironment(env, endpoints.get(env.name)!, { ...options, projectRoot, now, slots, total })),
  );
  return {
    checkedAt: formatDate(now),
    identity: options.identity.description,
    overrides: [...new Set([...endpoints.values()].flatMap((e) => e.overrides))],
    environments: audits,
    notes: examples.map(exampleNote),
  };
}

/** 1 when anything could not be audited, else 2 when anything was found, else 0. */
export function auditExitCode(report: AuditReport): 0 | 1 | 2 {
  const tenants = report.environments.flatMap((e) => e.tenants);
  if (report.environments.some((e) => e.failure !== undefined) || tenants.some((t) => t.failure !== undefined)) return 1;
  return tenants.some((t) => t.findings.length > 0) ? 2 : 0;
}

interface Run extends AuditOptions {
  readonly now: Date;
  readonly slots: Slots;
  readonly total: { done: number; count: number };
}

interface TenantToAudit {
  readonly tenant: string;
  readonly tenantId: string;
  readonly stack: string;
  readonly home: boolean;
}

async function auditEnvironment(env: Environment, endpoints: GraphEndpoints, run: Run): Promise<EnvironmentAudit> {
  const base = { environment: env.name, file: env.file, graph: endpoints.graph };
  const tenants: TenantToAudit[] = [
    { tenant: 'home', tenantId: env.tenantId, stack: env.name, home: true },
    ...env.customerTenants.map((t) => ({ tenant: t.name, tenantId: t.tenantId, stack: t.stackName, home: false })),
  ];
  const chosen = run.shard ? shardOf(tenants, run.shard) : tenants;
  const selfSigned = env.certificates.filter((c) => c.source === 'selfSigned');
  const needsOutputs = !env.adoption || (selfSigned.length > 0 && chosen.some((t) => t.home));
  const outputs: EnvironmentOutputs | undefined = needsOutputs
    ? await environmentOutputs(env, {
        env: run.env,
        stackDir: stackFolder(synthOutdir(run.projectRoot), env.name),
        outputsFile: run.outputsFiles?.get(env.name),
        cwd: run.projectRoot,
      })
    : undefined;
  let clientId = env.adoption?.clientId;
  let clientIdSource = `adopt.clientId of ${env.file}`;
  if (!clientId && outputs?.outputs) {
    clientId = deployedClientId(outputs.outputs, outputs.source);
    clientIdSource = outputs.source;
  }
  if (!clientId) {
    const why = outputs?.unknownBecause ?? 'its state has no application yet';
    return {
      ...base,
      clientIdSource: `unknown until ${env.name} is deployed (${why})`,
      failure: `the application's client ID is unknown until ${env.name} is deployed (${why}), so there is nothing to find it by in Graph`,
      notes: [],
      tenants: [],
    };
  }
  const certificates = new Map<string, string>();
  const notes: string[] = [];
  let certificateProblem: string | undefined;
  env.certificates.forEach((certificate, index) => {
    if (certificate.source === 'file') {
      certificates.set(certificate.thumbprint, `certificates[${index}] (${certificate.label})`);
      return;
    }
    if (!outputs?.outputs) {
      certificateProblem = `the thumbprint of self-signed certificate "${certificate.name}" is only in ${env.name}'s Terraform outputs, which are not at hand (${outputs?.unknownBecause ?? 'not read'})`;
      return;
    }
    const output = selfSignedOutputNames(certificate.name).pem;
    const pem = outputString(outputs.outputs, output);
    const facts = pem === undefined ? undefined : certificateFactsFromPem(pem);
    if (facts && 'facts' in facts) certificates.set(facts.facts.thumbprint, `certificates[${index}] (self-signed "${certificate.name}")`);
    else if (facts) certificateProblem = `${outputs.source}: output ${output} ${facts.problem}`;
    else notes.push(`self-signed certificate "${certificate.name}" is not in ${outputs.source} yet (not deployed?): not compared`);
  });
  const context: TenantContext = { env, endpoints, clientId, certificates, certificateProblem, identity: run.identity, graph: run.graph, now: run.now, onProgress: run.onProgress };
  run.total.count += chosen.length;
  const audited = await Promise.all(
    chosen.map((tenant) =>
      run.slots.run(async () => {
        const result = await auditTenant(tenant, context);
        run.total.done++;
        run.onProgress?.(`[${run.total.done}/${run.total.count}] ${tenant.stack}: ${progressOf(result)}`);
        return result;
      }),
    ),
  );
  return { ...base, clientId, clientIdSource, notes, tenants: audited };
}

/** What auditing any tenant of an environment needs. */
interface TenantContext {
  readonly env: Environment;
  readonly endpoints: GraphEndpoints;
  readonly clientId: string;
  /** The application's certificates by thumbprint, for the home tenant. */
  readonly certificates: ReadonlyMap<string, string>;
  /** Why the application's certificates cannot be compared, if they cannot. */
  readonly certificateProblem?: string;
  readonly identity: GraphIdentity;
  readonly graph?: GraphSettings;
  readonly now: Date;
  readonly onProgress?: (line: string) => void;
}

/** One tenant: its reads (the application too at home), compared with the code; a read that fails is the tenant's failure. */
async function auditTenant(tenant: TenantToAudit, context: TenantContext): Promise<TenantAudit> {
  const { env, endpoints, clientId } = context;
  const az = new AzCommands(endpoints.cloudGraph);
  const deployer = env.deployingIdentityObjectId;
  const expectedServicePrincipal = {
    file: env.file,
    stack: tenant.stack,
    home: tenant.home,
    owners: tenant.home ? [...new Set([...(deployer ? [deployer] : []), ...env.owners])] : [],
    deployer,
    consentUrl: adminConsentUrl(env.cloud, clientId, tenant.tenantId),
  };
  const { tenant: name, tenantId, stack } = tenant;
  try {
    if (tenant.home && context.certificateProblem) throw new GraphError('failed', context.certificateProblem);
    const client = graphClient(tenant, context);
    const [application, servicePrincipal] = await Promise.all([
      tenant.home ? readApplication(client, clientId) : undefined,
      readServicePrincipal(client, clientId),
    ]);
    if (tenant.home && !application) throw new GraphError('not-found', deletedRegistration(clientId, tenant, env));
    const findings = application ? auditApplication(application, { env, clientId, certificates: context.certificates, now: context.now }, az) : [];
    const sp = auditServicePrincipal(servicePrincipal, expectedServicePrincipal, az);
    return { tenant: name, tenantId, stack, consent: sp.consent, findings: [...findings, ...sp.findings] };
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return { tenant: name, tenantId, stack, findings: [], failure: error.message };
  }
}

/**
 * Whether each customer tenant of an environment has consented, from the reads the audit makes
 * there (`npm run tenants -- --consent`): the service principal, sign-in enabled, both admin
 * consent grants. `parallel` tenants at a time.
 */
export async function customerConsent(
  env: Environment,
  clientId: string,
  options: { readonly identity: GraphIdentity; readonly env?: NodeJS.ProcessEnv; readonly graph?: GraphSettings; readonly parallel?: number },
): Promise<Map<string, Pick<TenantAudit, 'consent' | 'failure'>>> {
  const context: TenantContext = {
    env,
    endpoints: graphEndpoints(env.cloud, options.env ?? process.env),
    clientId,
    certificates: new Map(),
    identity: options.identity,
    graph: options.graph,
    now: new Date(),
  };
  const slots = new Slots(options.parallel ?? DEFAULT_PARALLEL);
  const results = await Promise.all(
    env.customerTenants.map((t) =>
      slots.run(async () => [t.name, await auditTenant({ tenant: t.name, tenantId: t.tenantId, stack: t.stackName, home: false }, context)] as const),
    ),
  );
  return new Map(results.map(([name, audit]) => [name, { consent: audit.consent, failure: audit.failure }]));
}

/** The Graph of one tenant, signing in to that tenant once for all its reads. */
function graphClient(tenant: TenantToAudit, context: TenantContext): GraphClient {
  let token: Promise<string> | undefined;
  return new GraphClient({
    ...context.graph,
    endpoints: context.endpoints,
    tenantId: tenant.tenantId,
    token: () => (token ??= context.identity.token(tenant.tenantId, context.endpoints)),
    onRetry: (message) => context.onProgress?.(`${tenant.stack}: ${message}`),
  });
}

/** A 404 of the application itself: the explanation plan gives for a deleted registration. */
function deletedRegistration(clientId: string, tenant: TenantToAudit, env: Environment): string {
  return [
    `the application registration ${clientId} was deleted in Entra (Graph has no application with that client ID in tenant ${tenant.tenantId}).`,
    `${DELETED_REGISTRATION_CONSEQUENCE}: do not apply ${env.name} before it is restored.`,
    deletedRegistrationRemedy(env.name),
  ].join(' ');
}

function progressOf(tenant: TenantAudit): string {
  if (tenant.failure !== undefined) return `not audited: ${tenant.failure}`;
  return tenant.findings.length === 0 ? 'nothing found' : `${tenant.findings.length} finding(s)`;
}
