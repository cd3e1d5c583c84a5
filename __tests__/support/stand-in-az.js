// Stands in for the Azure CLI in tests (stand-in-az.sh, as `az` on PATH, hands each call here): logs
// each call (its arguments as a JSON array, one a line, to calls.log beside it) and keeps what it made in state.json beside it, answering as az does for the
// commands npm run bootstrap uses. The signed-in account starts in FAKE_AZ_TENANT with subscription
// FAKE_AZ_SUBSCRIPTION, as the user FAKE_AZ_USER; after `az logout` every command but login fails as az does.
// Identifiers are counted, so a run is repeatable.
// Like az: `ad app create` patches the one application of that name (Graph's POST /applications always
// makes a new one; the caller owns what either makes), `ad app permission add` appends
// (duplicates too), `ad sp create` fails for an existing service principal or a single-tenant
// application in another tenant, and creating an app role assignment, a role assignment or a
// federated credential that exists fails.
const { appendFileSync, existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Answers one call as az would: `{ status, stdout, stderr }`. `dir` holds calls.log and state.json;
 * `env` gives FAKE_AZ_*.
 */
function handle(args, dir, env) {
  appendFileSync(join(dir, 'calls.log'), `${JSON.stringify(args)}\n`);
  let stdout = '';
  class Exit extends Error {}

  const stateFile = join(dir, 'state.json');
  const state = existsSync(stateFile)
    ? JSON.parse(readFileSync(stateFile, 'utf8'))
    : { counter: 0, tenant: env.FAKE_AZ_TENANT, apps: [], servicePrincipals: [], appRoleAssignments: [], roleAssignments: [], federatedCredentials: [] };
  const home = { tenant: env.FAKE_AZ_TENANT, subscription: env.FAKE_AZ_SUBSCRIPTION };
  const GRAPH = '00000003-0000-0000-c000-000000000000';

  const newId = () => `00000000-0000-4000-8000-${String(++state.counter).padStart(12, '0')}`;
  const option = (name) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const options = (name) => {
    const at = args.indexOf(name);
    if (at === -1) return [];
    const values = [];
    for (let i = at + 1; i < args.length && !args[i].startsWith('--'); i++) values.push(args[i]);
    return values;
  };
  const fail = (message, code = 1) => {
    throw Object.assign(new Exit(message), { code });
  };
  const answer = (value) => {
    writeFileSync(stateFile, JSON.stringify(state, null, 1));
    const query = option('--query');
    const shown = query === undefined || value === undefined ? value : value[query];
    if (shown === undefined) return;
    stdout = option('--output') === 'tsv' ? `${shown}\n` : `${JSON.stringify(shown, null, 2)}\n`;
  };
  const quoted = (filter, field) => new RegExp(`^${field} eq '([^']*)'$`).exec(filter ?? '')?.[1] ?? fail(`stand-in az: unexpected --filter ${filter}`, 2);
  const app = (id) =>
    state.apps.find((a) => a.appId === id || a.id === id) ??
    fail(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, 3);
  const servicePrincipal = (id) => state.servicePrincipals.find((s) => s.tenant === state.tenant && (s.id === id || s.appId === id));
  const graphServicePrincipal = () => {
    let graph = servicePrincipal(GRAPH);
    if (!graph) {
      graph = { id: newId(), appId: GRAPH, tenant: state.tenant };
      state.servicePrincipals.push(graph);
    }
    return graph;
  };
  const json = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return fail(`Failed to parse string as JSON: ${text}`);
    }
  };

  const command = args
    .filter((a) => !a.startsWith('--'))
    .slice(0, 4)
    .join(' ');
  try {
    // Signed out (az logout): az answers nothing but login.
    if (state.tenant === null && !command.startsWith('login')) fail("Please run 'az login' to setup account.");
    switch (true) {
      case command.startsWith('logout'):
        state.tenant = null;
        answer(undefined);
        break;
      case command.startsWith('account show'):
        answer({
          id: state.tenant === home.tenant ? home.subscription : state.tenant,
          tenantId: state.tenant,
          user: { name: 'admin@contoso.example', type: 'user' },
        });
        break;
      case command.startsWith('account set'):
        if (option('--subscription') !== home.subscription) fail(`The subscription '${option('--subscription')}' doesn't exist in cloud 'AzureCloud'.`);
        state.tenant = home.tenant;
        answer(undefined);
        break;
      case command.startsWith('login'):
        state.tenant = option('--tenant');
        answer([{ id: state.tenant, tenantId: state.tenant, name: 'N/A(tenant level account)' }]);
        break;
      case command.startsWith('ad signed-in-user show'):
        answer({ id: env.FAKE_AZ_USER, userPrincipalName: 'admin@contoso.example' });
        break;
      case command.startsWith('ad app list'): {
        const name = quoted(option('--filter'), 'displayName');
        answer(state.apps.filter((a) => a.tenant === state.tenant && a.displayName === name));
        break;
      }
      case command.startsWith('ad app create'): {
        const same = state.apps.filter((a) => a.tenant === state.tenant && a.displayName === option('--display-name'));
        if (same.length > 1) fail(`More than one application have the same display name '${option('--display-name')}'`);
        const made = same[0] ?? { id: newId(), appId: newId(), tenant: state.tenant, displayName: option('--display-name'), requiredResourceAccess: [], owners: [env.FAKE_AZ_USER] };
        made.signInAudience = option('--sign-in-audience') ?? made.signInAudience ?? 'AzureADMyOrg';
        if (!same[0]) state.apps.push(made);
        answer(made);
        break;
      }
      case command.startsWith('ad app update'):
        app(option('--id')).signInAudience = option('--sign-in-audience');
        answer(undefined);
        break;
      case command.startsWith('ad app owner list'):
        answer((app(option('--id')).owners ?? []).map((id) => ({ '@odata.type': '#microsoft.graph.user', id, userPrincipalName: id === env.FAKE_AZ_USER ? 'admin@contoso.example' : `user-${id.slice(0, 8)}@contoso.example` })));
        break;
      case command.startsWith('ad app show'):
        answer(app(option('--id')));
        break;
      case command.startsWith('ad app permission add'): {
        const target = app(option('--id'));
        let api = target.requiredResourceAccess.find((r) => r.resourceAppId === option('--api'));
        if (!api) target.requiredResourceAccess.push((api = { resourceAppId: option('--api'), resourceAccess: [] }));
        for (const permission of options('--api-permissions')) {
          const [id, type] = permission.split('=');
          api.resourceAccess.push({ id, type });
        }
        answer(undefined);
        break;
      }
      case command.startsWith('ad app federated-credential list'):
        answer(state.federatedCredentials.filter((c) => c.appId === app(option('--id')).appId));
        break;
      case command.startsWith('ad app federated-credential create'): {
        const target = app(option('--id'));
        const parameters = json(option('--parameters'));
        if (state.federatedCredentials.some((c) => c.appId === target.appId && c.name === parameters.name))
          fail('FederatedIdentityCredential with name already exists.');
        state.federatedCredentials.push({ appId: target.appId, ...parameters });
        answer(parameters);
        break;
      }
      case command.startsWith('ad sp list'):
        answer(state.servicePrincipals.filter((s) => s.tenant === state.tenant && s.appId === quoted(option('--filter'), 'appId')));
        break;
      case command.startsWith('ad sp show'):
        if (option('--id') !== GRAPH) fail('stand-in az: only Graph service principal lookups', 2);
        answer(graphServicePrincipal());
        break;
      case command.startsWith('ad sp create'): {
        const target = app(option('--id'));
        if (target.tenant !== state.tenant && target.signInAudience !== 'AzureADMultipleOrgs')
          fail(`The application '${target.appId}' is not multitenant: it has no service principal outside its tenant.`);
        if (servicePrincipal(target.appId)) fail('Another object with the same value for property servicePrincipalNames already exists.');
        const made = { id: newId(), appId: target.appId, tenant: state.tenant };
        state.servicePrincipals.push(made);
        answer(made);
        break;
      }
      case command.startsWith('rest'): {
        const url = option('--url');
        if (option('--method') === 'post' && url === 'https://graph.microsoft.com/v1.0/applications') {
          const body = json(option('--body'));
          const made = { id: newId(), appId: newId(), tenant: state.tenant, displayName: body.displayName, signInAudience: body.signInAudience ?? 'AzureADMyOrg', requiredResourceAccess: [], owners: [env.FAKE_AZ_USER] };
          state.apps.push(made);
          answer(made);
          break;
        }
        const match = /^https:\/\/graph\.microsoft\.com\/v1\.0\/servicePrincipals\/([^/]+)\/(appRoleAssignments|appRoleAssignedTo)$/.exec(url ?? '');
        if (!match) fail(`stand-in az: unexpected url ${url}`, 2);
        if (option('--method') === 'get' && match[2] === 'appRoleAssignments') {
          answer({ value: state.appRoleAssignments.filter((a) => a.tenant === state.tenant && a.principalId === match[1]) });
        } else if (option('--method') === 'post' && match[2] === 'appRoleAssignedTo') {
          const body = json(option('--body'));
          if (body.resourceId !== match[1] || servicePrincipal(body.resourceId)?.appId !== GRAPH || !servicePrincipal(body.principalId))
            fail('Bad Request: invalid principal or resource', 1);
          if (state.appRoleAssignments.some((a) => a.tenant === state.tenant && a.principalId === body.principalId && a.appRoleId === body.appRoleId)) {
            fail('Permission being assigned already exists on the object');
          }
          state.appRoleAssignments.push({ id: newId(), tenant: state.tenant, ...body });
          answer(body);
        } else {
          fail(`stand-in az: unexpected ${option('--method')} ${url}`, 2);
        }
        break;
      }
      case command.startsWith('storage account show'):
        answer({
          id: `/subscriptions/${option('--subscription') ?? home.subscription}/resourceGroups/${
            option('--resource-group') ?? 'rg-state'
          }/providers/Microsoft.Storage/storageAccounts/${option('--name')}`,
        });
        break;
      case command.startsWith('role assignment list'):
        answer(
          state.roleAssignments.filter(
            (r) => r.principalId === option('--assignee') && r.roleDefinitionName === option('--role') && r.scope === option('--scope')
          )
        );
        break;
      case command.startsWith('role assignment create'): {
        const made = {
          principalId: option('--assignee-object-id'),
          principalType: option('--assignee-principal-type'),
          roleDefinitionName: option('--role'),
          scope: option('--scope'),
        };
        if (
          state.roleAssignments.some((r) => r.principalId === made.principalId && r.roleDefinitionName === made.roleDefinitionName && r.scope === made.scope)
        ) {
          fail('The role assignment already exists.');
        }
        state.roleAssignments.push(made);
        answer(made);
        break;
      }
      default:
        fail(`stand-in az: unknown command ${args.join(' ')}`, 2);
    }
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    return { status: error.code, stdout: '', stderr: `ERROR: ${error.message}\n` };
  }
  return { status: 0, stdout, stderr: '' };
}

module.exports = { handle };
