import { learntValue, resolveArgs, type AzArg, type AzCommand, type Ref } from './az-command';
import { azJson, type AzureCli } from './azure-cli';
import { GRAPH_APP_ROLES, type GraphAppRole } from './identity-permissions';
import { MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';
import { UserError } from '../process/command-line';

/**
 * What `npm run bootstrap -- --apply` finds before it makes something: each lookup reads what exists
 * (JSON, compared here, not in a JMESPath query) and says whether the step is done already.
 */

/** A step already done: the value it would have captured, and what was adjusted on the way. */
export interface Found {
  readonly value?: string;
  readonly note?: string;
  /** Done in part: run this instead of the step's own command. */
  readonly instead?: AzCommand;
}

export type Lookup = (az: AzureCli, values: ReadonlyMap<string, string>) => Promise<Found | undefined>;

async function json(az: AzureCli, args: readonly string[]): Promise<unknown> {
  return azJson(await az.run(args), args);
}

const value = (r: Ref, values: ReadonlyMap<string, string>) => resolveArgs({ args: [r] }, values)[0];
const list = (data: unknown): Record<string, unknown>[] => (Array.isArray(data) ? data.filter((x) => typeof x === 'object' && x !== null) : []);

/**
 * An application by its exact display name, to be reused only when nobody but the one signed in owns
 * it: the set-up gives it Graph permissions, admin consent and storage roles, and an owner can add a
 * secret and sign in as it (by default any user may register an application, under any name). A
 * second one of that name is a mistake to settle by hand.
 */
export function existingApplication(displayName: string, multitenant: boolean): Lookup {
  return async (az) => {
    // The name is checked (letters, digits, spaces, . _ ( ) -), so it cannot end the OData string.
    const apps = list(await json(az, ['ad', 'app', 'list', '--filter', `displayName eq '${displayName}'`, '--output', 'json'])).filter((a) => a.displayName === displayName);
    if (apps.length > 1) {
      throw new UserError(`${apps.length} applications are named ${displayName}: delete the extra ones (az ad app list --filter "displayName eq '${displayName}'"), or choose another name`);
    }
    if (apps.length === 0) return undefined;
    const appId = learntValue(String(apps[0].appId), `application ${displayName}`);
    await refuseOtherOwners(az, appId, displayName);
    const held = [...list(apps[0].passwordCredentials), ...list(apps[0].keyCredentials)].length;
    const notes = held === 0 ? [] : [`it has ${held} client secret(s) or certificate(s) already: whoever holds one signs in as it; remove those you did not make (az ad app credential list --id ${appId})`];
    if (multitenant && apps[0].signInAudience !== 'AzureADMultipleOrgs') {
      await az.run(['ad', 'app', 'update', '--id', appId, '--sign-in-audience', 'AzureADMultipleOrgs']);
      notes.unshift('made multitenant, for the other tenants it works in');
    }
    return notes.length > 0 ? { value: appId, note: notes.join('; ') } : { value: appId };
  };
}

/** @throws UserError naming the owners of the application other than the one signed in to az */
async function refuseOtherOwners(az: AzureCli, appId: string, displayName: string): Promise<void> {
  const owners = list(await json(az, ['ad', 'app', 'owner', 'list', '--id', appId, '--output', 'json']));
  if (owners.length === 0) return;
  // A user signs in to az; a service principal signed in has no signed-in user, and owns nothing it reuses.
  const me = await az.run(['ad', 'signed-in-user', 'show', '--query', 'id', '--output', 'tsv']).then((id) => id.trim(), () => undefined);
  const others = owners.filter((owner) => owner.id !== me);
  if (others.length === 0) return;
  const named = others.slice(0, 5).map((owner) => {
    const name = [owner.userPrincipalName, owner.displayName, owner.appId].find((part): part is string => typeof part === 'string' && part !== '');
    return `${name ? `${name.slice(0, 100)} ` : ''}(${String(owner.id).slice(0, 40)})`;
  });
  throw new UserError(
    `application ${displayName} (${appId}) exists and is owned by ${named.join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}, not by you: ` +
      'an owner can add a secret and sign in as the identity this set-up gives Graph permissions and storage roles. ' +
      `If it is yours, remove the other owners (az ad app owner remove --id ${appId} --owner-object-id <id>) and run again; otherwise delete it, or choose another name (--plan-identity, --deploy-identity)`,
  );
}

/** The service principal of an application in the tenant signed in to. */
export function existingServicePrincipal(appId: Ref): Lookup {
  return async (az, values) => {
    const found = list(await json(az, ['ad', 'sp', 'list', '--filter', `appId eq '${value(appId, values)}'`, '--output', 'json']));
    return found.length > 0 ? { value: String(found[0].id) } : undefined;
  };
}

/** Microsoft Graph application permissions the application declares; only the missing ones are added. */
export function declaredApiPermissions(appId: Ref, roles: readonly GraphAppRole[]): Lookup {
  return async (az, values) => {
    const app = (await json(az, ['ad', 'app', 'show', '--id', value(appId, values), '--output', 'json'])) as Record<string, unknown> | null;
    const graph = list(app?.requiredResourceAccess).find((r) => r.resourceAppId === MICROSOFT_GRAPH_CLIENT_ID);
    const declared = new Set(list(graph?.resourceAccess).filter((a) => a.type === 'Role').map((a) => a.id));
    const missing = roles.filter((role) => !declared.has(GRAPH_APP_ROLES[role]));
    if (missing.length === 0) return {};
    if (missing.length === roles.length) return undefined;
    return { note: `added ${missing.join(', ')}`, instead: apiPermissionsCommand(appId, missing) };
  };
}

export function apiPermissionsCommand(appId: AzArg, roles: readonly GraphAppRole[]): AzCommand {
  return { args: ['ad', 'app', 'permission', 'add', '--id', appId, '--api', MICROSOFT_GRAPH_CLIENT_ID, '--api-permissions', ...roles.map((role) => `${GRAPH_APP_ROLES[role]}=Role`)] };
}

/** An app role (admin consent to an application permission) of a service principal on Microsoft Graph. */
export function existingAppRoleAssignment(graphHost: string, principal: Ref, graphServicePrincipal: Ref, role: GraphAppRole): Lookup {
  return async (az, values) => {
    const url = `https://${graphHost}/v1.0/servicePrincipals/${value(principal, values)}/appRoleAssignments`;
    const answer = (await json(az, ['rest', '--method', 'get', '--url', url, '--output', 'json'])) as Record<string, unknown> | null;
    const held = list(answer?.value).some((a) => a.appRoleId === GRAPH_APP_ROLES[role] && a.resourceId === value(graphServicePrincipal, values));
    return held ? {} : undefined;
  };
}

/** An Azure role of a principal on exactly this scope. */
export function existingRoleAssignment(assignee: Ref, role: string, scope: AzArg): Lookup {
  return async (az, values) => {
    const [at] = resolveArgs({ args: [scope] }, values);
    const found = list(await json(az, ['role', 'assignment', 'list', '--assignee', value(assignee, values), '--role', role, '--scope', at, '--output', 'json']));
    return found.length > 0 ? {} : undefined;
  };
}

/** A federated credential of the application for this subject; its name must not be taken by another subject. */
export function existingFederatedCredential(appId: Ref, name: string, subject: string): Lookup {
  return async (az, values) => {
    const found = list(await json(az, ['ad', 'app', 'federated-credential', 'list', '--id', value(appId, values), '--output', 'json']));
    if (found.some((c) => c.subject === subject && c.issuer === GITHUB_ISSUER)) return {};
    if (found.some((c) => c.name === name)) {
      throw new UserError(`federated credential ${name} of application ${value(appId, values)} trusts another subject than ${subject}: delete it (az ad app federated-credential delete --id ${value(appId, values)} --federated-credential-id ${name}) and run again`);
    }
    return undefined;
  };
}

/** GitHub's OpenID Connect issuer and the audience Entra expects from it. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
