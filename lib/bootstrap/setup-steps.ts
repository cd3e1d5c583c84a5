import { joined, ref, type AzArg, type AzCommand, type Ref } from './az-command';
import {
  apiPermissionsCommand,
  declaredApiPermissions,
  existingAppRoleAssignment,
  existingApplication,
  existingFederatedCredential,
  existingRoleAssignment,
  existingServicePrincipal,
  GITHUB_ISSUER,
  TOKEN_EXCHANGE_AUDIENCE,
  type Lookup,
} from './existing-objects';
import {
  DEPLOY_ROLES_AT_CUSTOMER,
  deployRolesAtHome,
  GRAPH_APP_ROLES,
  orderedRoles,
  PLAN_ROLES,
  PLAN_ROLES_AT_HOME,
  STORAGE_BLOB_DATA_CONTRIBUTOR,
  STORAGE_BLOB_DATA_READER,
  withoutImplied,
  type GraphAppRole,
} from './identity-permissions';
import { CLOUDS, type CloudName } from '../construct/cloud';
import { MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';
import { tokenVariable } from '../environment/backend';
import type { Environment } from '../environment/environment';
import { UserError } from '../process/command-line';

/**
 * The Azure set-up of the workflows, in order: the plan and deploy identities, their Microsoft Graph
 * application permissions and admin consent, their roles on the state container (and that of the
 * person who runs it), every federated credential subject the workflows use, then the same consent in
 * each other tenant the environments reach (their own, their customers'). One list of steps, printed
 * as a script or run by `--apply`.
 */

export interface SetupRequest {
  /** The environments to set up (no examples). */
  readonly environments: readonly Environment[];
  /** `<owner>/<repo>` on GitHub: the subject of every federated credential. */
  readonly repository: string;
  /** The tenant that holds the identities and the state storage (the workflows' AZURE_TENANT_ID). */
  readonly homeTenant: string;
  /** Every environment of the repository, for what sharing a state container with the chosen ones means. @default environments */
  readonly allEnvironments?: readonly Environment[];
  /** Display names of the two identities. */
  readonly planIdentity: string;
  readonly deployIdentity: string;
}

export interface SetupStep {
  /** `make` creates something, `read` learns a value, `switch` changes the signed-in tenant. */
  readonly kind: 'make' | 'read' | 'switch';
  /** What it is about, for the lines of `--apply`. */
  readonly what: string;
  readonly command: AzCommand;
  /** For `--apply`: finds it done already. */
  readonly find?: Lookup;
}

export interface SetupSection {
  /** Comment lines before the section's commands. */
  readonly comments: readonly string[];
  readonly steps: readonly SetupStep[];
}

/** A line of text that names values learnt on the way (`$PLAN_APP_ID` in the script). */
export type NoteLine = readonly (string | Ref)[];

export interface SetupPlan {
  readonly sections: readonly SetupSection[];
  /** What to do by hand afterwards: GitHub's settings, environment files. */
  readonly afterwards: readonly NoteLine[];
  readonly warnings: readonly string[];
}

/** Entra allows this many federated credentials per application. */
const MAX_FEDERATED_CREDENTIALS = 20;

/** Microsoft Graph's host per national cloud (the provider's go-azure-sdk environments) and az's name for the cloud. */
const GRAPH: Record<CloudName, { readonly host: string; readonly azCloud: string }> = {
  public: { host: 'graph.microsoft.com', azCloud: 'AzureCloud' },
  usgovernment: { host: 'graph.microsoft.us', azCloud: 'AzureUSGovernment' },
  china: { host: 'microsoftgraph.chinacloudapi.cn', azCloud: 'AzureChinaCloud' },
};

type Identity = 'plan' | 'deploy';

/** One tenant the identities work in, with the Graph permissions each needs there. */
interface TenantNeeds {
  readonly tenantId: string;
  readonly labels: string[];
  readonly roles: Record<Identity, Set<GraphAppRole>>;
}

/** A blob container holding state, and who needs which role on it. */
interface StateContainer {
  readonly account: string;
  readonly container: string;
  readonly resourceGroup?: string;
  readonly subscription?: string;
  readonly environments: string[];
  readonly roles: Set<Identity>;
  /** Environments kept out of CI whose state holds a self-signed certificate's private key. */
  readonly keysOutOfCi: string[];
}

export function setupPlan(request: SetupRequest): SetupPlan {
  const { environments, repository, homeTenant } = request;
  const ci = environments.filter((e) => e.ci !== 'workstation');
  const applied = environments.filter((e) => e.ci === 'apply');
  const clouds = [...new Set(environments.map((e) => e.cloud.name))];
  if (clouds.length > 1) throw new UserError(`the environments are in ${clouds.join(' and ')} clouds: bootstrap the environments of one cloud at a time`);
  const graph = GRAPH[clouds[0] ?? 'public'];
  if (applied.length > MAX_FEDERATED_CREDENTIALS) {
    throw new UserError(`${applied.length} environments are applied by CI, and Entra allows ${MAX_FEDERATED_CREDENTIALS} federated credentials per application: bootstrap at most ${MAX_FEDERATED_CREDENTIALS} at a time with another --deploy-identity`);
  }

  const tenants = tenantNeeds(homeTenant, ci, applied);
  const home = tenants.get(homeTenant)!;
  const foreign = [...tenants.values()].filter((t) => t !== home);
  const uses = { plan: ci.length > 0, deploy: applied.length > 0 };
  const names: Record<Identity, string> = { plan: request.planIdentity, deploy: request.deployIdentity };
  const v = {
    appId: { plan: ref('PLAN_APP_ID'), deploy: ref('DEPLOY_APP_ID') },
    spId: { plan: ref('PLAN_SP_ID'), deploy: ref('DEPLOY_SP_ID') },
    tenantSpId: { plan: ref('TENANT_PLAN_SP_ID'), deploy: ref('TENANT_DEPLOY_SP_ID') },
  };
  const identities = (['plan', 'deploy'] as const).filter((identity) => uses[identity]);
  const sections: SetupSection[] = [];
  const warnings: string[] = [];

  sections.push({
    comments: [
      `Signed in to the home tenant ${homeTenant} (az login --tenant ${homeTenant}) as an administrator who may`,
      'grant Microsoft Graph application permissions (Privileged Role Administrator) and assign roles on the state storage (Owner or User Access Administrator).',
      ...(graph.azCloud === 'AzureCloud' ? [] : [`In the ${clouds[0]} cloud: az cloud set --name ${graph.azCloud} first.`]),
      'The subscription signed in to, to come back to after the other tenants:',
    ],
    steps: [{ kind: 'read', what: 'the subscription signed in to', command: { args: ['account', 'show', '--query', 'id', '--output', 'tsv'], capture: 'HOME_SUBSCRIPTION' } }],
  });

  for (const identity of identities) {
    const multitenant = foreign.some((t) => t.roles[identity].size > 0);
    // Declared on the application: what any tenant grants it, which is also what an administrator's
    // consent URL grants; each tenant is granted only what it needs there.
    const declared = orderedRoles([...tenants.values()].flatMap((t) => [...t.roles[identity]]));
    const name = names[identity];
    sections.push({
      comments: [identity === 'plan' ? `${name}: plans pull requests, checks drift and certificates; reads, never writes.` : `${name}: applies the environments after their reviewers approve.`],
      steps: [
        {
          kind: 'make',
          what: `application ${name}`,
          // Made through Graph, which always makes a new one: `az ad app create` patches an application
          // that has the name already, whoever registered it, and this set-up then gives it Graph
          // permissions and storage roles (by default any user may register an application).
          command: {
            args: [
              'rest', '--method', 'post', '--url', `https://${graph.host}/v1.0/applications`, '--headers', 'Content-Type=application/json',
              '--body', JSON.stringify({ displayName: name, signInAudience: multitenant ? 'AzureADMultipleOrgs' : 'AzureADMyOrg' }),
              '--query', 'appId', '--output', 'tsv',
            ],
            capture: v.appId[identity].ref,
          },
          find: existingApplication(name, multitenant),
        },
        {
          kind: 'make',
          what: `service principal of ${name}`,
          command: { args: ['ad', 'sp', 'create', '--id', v.appId[identity], '--query', 'id', '--output', 'tsv'], capture: v.spId[identity].ref },
          find: existingServicePrincipal(v.appId[identity]),
        },
        {
          kind: 'make',
          what: `Microsoft Graph application permissions of ${name} (${declared.join(', ')})`,
          command: apiPermissionsCommand(v.appId[identity], declared),
          find: declaredApiPermissions(v.appId[identity], declared),
        },
      ],
    });
  }

  const consentHome = identities.filter((identity) => home.roles[identity].size > 0);
  if (consentHome.length > 0) {
    sections.push({
      comments: [`Admin consent to those permissions in the home tenant (${home.labels.join(', ')}).`],
      steps: [graphServicePrincipal('GRAPH_SP_ID'), ...consentHome.flatMap((identity) => consentSteps(graph.host, names[identity], withoutImplied(home.roles[identity]), v.spId[identity], ref('GRAPH_SP_ID'), 'the home tenant'))],
    });
  }

  const containers = stateContainers(environments, request.allEnvironments ?? environments);
  if (containers.length > 0) {
    const steps: SetupStep[] = [{ kind: 'read', what: 'the signed-in user', command: { args: ['ad', 'signed-in-user', 'show', '--query', 'id', '--output', 'tsv'], capture: 'ME' } }];
    containers.forEach((container, index) => {
      const variable = `STATE_${index + 1}`;
      const scope = joined(ref(variable), `/blobServices/default/containers/${container.container}`);
      const label = `${container.account}/${container.container}`;
      steps.push({
        kind: 'read',
        what: `storage account ${container.account}`,
        command: {
          args: [
            'storage', 'account', 'show', '--name', container.account,
            ...(container.resourceGroup ? ['--resource-group', container.resourceGroup] : []),
            ...(container.subscription ? ['--subscription', container.subscription] : []),
            '--query', 'id', '--output', 'tsv',
          ],
          capture: variable,
        },
      });
      const grant = (assignee: Ref, principalType: string, role: string, who: string): SetupStep => ({
        kind: 'make',
        what: `${role} for ${who} on ${label}`,
        command: { args: ['role', 'assignment', 'create', '--assignee-object-id', assignee, '--assignee-principal-type', principalType, '--role', role, '--scope', scope] },
        find: existingRoleAssignment(assignee, role, scope),
      });
      if (container.roles.has('plan')) steps.push(grant(v.spId.plan, 'ServicePrincipal', STORAGE_BLOB_DATA_READER, names.plan));
      if (container.roles.has('deploy')) steps.push(grant(v.spId.deploy, 'ServicePrincipal', STORAGE_BLOB_DATA_CONTRIBUTOR, names.deploy));
      steps.push(grant(ref('ME'), 'User', STORAGE_BLOB_DATA_CONTRIBUTOR, 'you'));
      if (container.roles.has('plan') && container.keysOutOfCi.length > 0) {
        warnings.push(
          `${container.keysOutOfCi.map((e) => `environments/${e}.ts`).join(', ')} keep${container.keysOutOfCi.length === 1 ? 's' : ''} a self-signed certificate's private key in ${label}, which ${names.plan} reads for ${container.environments.filter((e) => !container.keysOutOfCi.includes(e)).join(', ')}: give ${container.keysOutOfCi.length === 1 ? 'it' : 'them'} a container of ${container.keysOutOfCi.length === 1 ? 'its' : 'their'} own`,
        );
      }
    });
    sections.push({ comments: ['Roles on the state containers (scoped to the container, not the account); you get Storage Blob Data Contributor to run workstation environments and to mend state.'], steps });
  }

  const credentials: SetupStep[] = [];
  const credential = (identity: Identity, name: string, subject: string): SetupStep => ({
    kind: 'make',
    what: `federated credential ${name} of ${names[identity]} (${subject})`,
    command: {
      args: ['ad', 'app', 'federated-credential', 'create', '--id', v.appId[identity], '--parameters', JSON.stringify({ name, issuer: GITHUB_ISSUER, subject, audiences: [TOKEN_EXCHANGE_AUDIENCE] })],
    },
    find: existingFederatedCredential(v.appId[identity], name, subject),
  });
  if (uses.plan) {
    credentials.push(credential('plan', 'github-pull-request', `repo:${repository}:pull_request`));
    credentials.push(credential('plan', 'github-main', `repo:${repository}:ref:refs/heads/main`));
  }
  for (const environment of applied) credentials.push(credential('deploy', `github-environment-${environment.name}`, `repo:${repository}:environment:${environment.name}`));
  if (credentials.length > 0) {
    sections.push({
      comments: [
        `Federated credentials: GitHub's tokens for ${repository} sign in as the identities, no secret anywhere.`,
        'Pull requests and runs on main (drift, certificates, the reviews of apply.yml) as the plan identity; each GitHub environment as the deploying one.',
      ],
      steps: credentials,
    });
  }

  for (const tenant of foreign) {
    const inTenant = identities.filter((identity) => tenant.roles[identity].size > 0);
    sections.push({
      comments: [
        `Tenant ${tenant.tenantId} (${tenant.labels.join(', ')}): signed in as its administrator (Privileged Role Administrator), or have them open`,
        ...inTenant.map((identity) => `  https://${CLOUDS[clouds[0] ?? 'public'].loginHost}/${tenant.tenantId}/adminconsent?client_id=$${v.appId[identity].ref}`),
      ],
      steps: [
        { kind: 'switch', what: `tenant ${tenant.tenantId}`, command: { args: ['login', '--tenant', tenant.tenantId, '--allow-no-subscriptions'] } },
        graphServicePrincipal('TENANT_GRAPH_SP_ID'),
        ...inTenant.flatMap((identity) => [
          {
            kind: 'make' as const,
            what: `service principal of ${names[identity]} in tenant ${tenant.tenantId}`,
            command: { args: ['ad', 'sp', 'create', '--id', v.appId[identity], '--query', 'id', '--output', 'tsv'], capture: v.tenantSpId[identity].ref },
            find: existingServicePrincipal(v.appId[identity]),
          },
          ...consentSteps(graph.host, names[identity], withoutImplied(tenant.roles[identity]), v.tenantSpId[identity], ref('TENANT_GRAPH_SP_ID'), `tenant ${tenant.tenantId}`),
        ]),
      ],
    });
  }
  if (foreign.length > 0) {
    sections.push({
      comments: ['Back to the home tenant.'],
      steps: [{ kind: 'switch', what: 'the home tenant', command: { args: ['account', 'set', '--subscription', ref('HOME_SUBSCRIPTION')] } }],
    });
  }

  return { sections, afterwards: afterwards(request, ci, applied, uses), warnings };
}

function graphServicePrincipal(capture: string): SetupStep {
  return { kind: 'read', what: "Microsoft Graph's service principal", command: { args: ['ad', 'sp', 'show', '--id', MICROSOFT_GRAPH_CLIENT_ID, '--query', 'id', '--output', 'tsv'], capture } };
}

/** Admin consent to application permissions: one app role assignment on Microsoft Graph each. */
function consentSteps(graphHost: string, name: string, roles: readonly GraphAppRole[], principal: Ref, graph: Ref, where: string): SetupStep[] {
  return roles.map((role) => ({
    kind: 'make',
    what: `admin consent to ${role} for ${name} in ${where}`,
    command: {
      args: [
        'rest', '--method', 'post',
        '--url', joined(`https://${graphHost}/v1.0/servicePrincipals/`, graph, '/appRoleAssignedTo'),
        '--headers', 'Content-Type=application/json',
        '--body', joined('{"principalId": "', principal, '", "resourceId": "', graph, `", "appRoleId": "${GRAPH_APP_ROLES[role]}"}`),
      ] as AzArg[],
    },
    find: existingAppRoleAssignment(graphHost, principal, graph, role),
  }));
}

/** Every tenant the environments reach, the home tenant first, with the permissions each identity needs there. */
function tenantNeeds(homeTenant: string, ci: readonly Environment[], applied: readonly Environment[]): Map<string, TenantNeeds> {
  const tenants = new Map<string, TenantNeeds>();
  const at = (tenantId: string, label?: string) => {
    let tenant = tenants.get(tenantId);
    if (!tenant) {
      tenant = { tenantId, labels: [], roles: { plan: new Set(), deploy: new Set() } };
      tenants.set(tenantId, tenant);
    }
    if (label && !tenant.labels.includes(label)) tenant.labels.push(label);
    return tenant;
  };
  at(homeTenant);
  for (const environment of ci) {
    for (const role of PLAN_ROLES_AT_HOME) at(environment.tenantId, environment.name).roles.plan.add(role);
    for (const customer of environment.customerTenants) for (const role of PLAN_ROLES) at(customer.tenantId, `${customer.name} of ${environment.name}`).roles.plan.add(role);
  }
  for (const environment of applied) {
    for (const role of deployRolesAtHome(environment)) at(environment.tenantId).roles.deploy.add(role);
    for (const customer of environment.customerTenants) for (const role of DEPLOY_ROLES_AT_CUSTOMER) at(customer.tenantId).roles.deploy.add(role);
  }
  return tenants;
}

/**
 * The azurerm containers of the environments, in order of first use, and the environments of the
 * repository kept out of CI whose self-signed certificate's key is in one of them.
 */
function stateContainers(environments: readonly Environment[], all: readonly Environment[]): StateContainer[] {
  const containers = new Map<string, StateContainer>();
  const keyOf = (backend: Environment['backend']) => (backend.type === 'azurerm' ? [backend.subscriptionId ?? '', backend.storageAccountName, backend.containerName].join('/') : undefined);
  for (const environment of environments) {
    const backend = environment.backend;
    if (backend.type !== 'azurerm') continue;
    const key = keyOf(backend)!;
    let container = containers.get(key);
    if (!container) {
      container = {
        account: backend.storageAccountName,
        container: backend.containerName,
        resourceGroup: backend.resourceGroupName,
        subscription: backend.subscriptionId,
        environments: [],
        roles: new Set(),
        keysOutOfCi: [],
      };
      containers.set(key, container);
    }
    container.environments.push(environment.name);
    if (environment.ci !== 'workstation') container.roles.add('plan');
    if (environment.ci === 'apply') container.roles.add('deploy');
  }
  for (const environment of all) {
    const container = containers.get(keyOf(environment.backend) ?? '');
    if (container && environment.ci === 'workstation' && environment.certificates.some((c) => c.source === 'selfSigned')) container.keysOutOfCi.push(environment.name);
  }
  return [...containers.values()];
}

/** What is left to do by hand: GitHub's variables and environments, and the environment files. */
function afterwards(request: SetupRequest, ci: readonly Environment[], applied: readonly Environment[], uses: Record<Identity, boolean>): NoteLine[] {
  if (!uses.plan) return [];
  const lines: NoteLine[] = [
    [`In GitHub, ${request.repository}: Settings > Secrets and variables > Actions > Variables:`],
    [`  AZURE_TENANT_ID = ${request.homeTenant}`],
    ['  AZURE_SUBSCRIPTION_ID = ', ref('HOME_SUBSCRIPTION')],
    ['  AZURE_PLAN_CLIENT_ID = ', ref('PLAN_APP_ID')],
  ];
  for (const environment of applied) {
    lines.push([`GitHub environment ${environment.name} (required reviewers, Prevent self-review, deployment branch main): variable AZURE_CLIENT_ID = `, ref('DEPLOY_APP_ID')]);
  }
  for (const environment of applied) {
    const now = environment.deployingIdentityObjectId ? `it says ${environment.deployingIdentityObjectId} now` : 'it names none now';
    lines.push([`environments/${environment.name}.ts: deployingIdentityObjectId: '`, ref('DEPLOY_SP_ID'), `' (${now})`]);
  }
  for (const environment of ci) {
    const variable = tokenVariable(environment.backend);
    if (variable) {
      lines.push([
        `${environment.name} keeps its state in HCP Terraform or Terraform Enterprise: secret ${variable} = a token that may read its workspaces` +
          (environment.ci === 'apply' ? `, and in GitHub environment ${environment.name} a secret ${variable} that may write them` : ''),
      ]);
    }
  }
  return lines;
}
