import { describe, isGuid, isPlainObject } from '../input/field-reader';
import { parseManifest, type ApplicationManifest } from '../doctor/manifest';
import { MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';
import { clip } from '../process/problem';
import { GraphError, type GraphClient, type GraphRead } from './graph-client';

/**
 * What Microsoft Graph v1.0 holds of a registration in one tenant: the application (in the
 * environment's own tenant) and the service principal with its owners, credentials, grants and app
 * role assignments. Every field is checked for its type as it is read: a value of the wrong type
 * fails the read (the audit cannot vouch for what it could not read), and text is kept as text, to
 * be shown escaped.
 */

/** A client secret or certificate. Graph never returns a secret's value: key ID, name, hint and dates only. */
export interface LiveCredential {
  readonly keyId: string;
  readonly displayName?: string;
  /** The first characters of a client secret, as the portal shows them. */
  readonly hint?: string;
  readonly start?: string;
  readonly end?: string;
  /**
   * SHA-1 thumbprint of a certificate (an AsymmetricX509Cert used to verify, as VB365's are): the
   * certificate's own when Graph returns it, else the customKeyIdentifier the uploader chose. None
   * for any other key credential, and none when the certificate Graph returns cannot be read.
   */
  readonly thumbprint?: string;
  /** The thumbprint is the certificate's own, not what customKeyIdentifier claims. */
  readonly thumbprintOfCertificate?: boolean;
  /** Graph's `type` and `usage` of a key credential (`AsymmetricX509Cert`, `Verify`). */
  readonly type?: string;
  readonly usage?: string;
}

export interface LiveOwner {
  readonly id: string;
  readonly kind: 'user' | 'service principal' | 'group' | 'directory object';
  readonly displayName?: string;
  /** A user's sign-in name or a service principal's application ID. */
  readonly detail?: string;
}

export interface LiveFederatedCredential {
  readonly id: string;
  readonly name?: string;
  readonly issuer?: string;
  readonly subject?: string;
}

export interface LiveAppRole {
  readonly id: string;
  readonly value?: string;
  readonly displayName?: string;
  readonly isEnabled: boolean;
}

export interface LiveApplication {
  readonly objectId: string;
  readonly clientId: string;
  readonly displayName?: string;
  /** The application as the doctor reads a downloaded manifest (Graph's application object is the Microsoft Graph manifest format). */
  readonly manifest: ApplicationManifest;
  readonly passwordCredentials: readonly LiveCredential[];
  readonly keyCredentials: readonly LiveCredential[];
  readonly appRoles: readonly LiveAppRole[];
  readonly federatedCredentials: readonly LiveFederatedCredential[];
  readonly owners: readonly LiveOwner[];
}

export interface LiveGrant {
  readonly id: string;
  /** `AllPrincipals` (admin consent for everyone) or `Principal` (one user's consent). */
  readonly consentType?: string;
  readonly principalId?: string;
  readonly resourceId?: string;
  readonly scopes: readonly string[];
}

export interface LiveAppRoleAssignment {
  readonly id: string;
  readonly appRoleId?: string;
  readonly resourceId?: string;
  readonly resourceDisplayName?: string;
  readonly created?: string;
}

export interface LiveServicePrincipal {
  readonly objectId: string;
  readonly accountEnabled: boolean;
  readonly passwordCredentials: readonly LiveCredential[];
  readonly keyCredentials: readonly LiveCredential[];
  readonly owners: readonly LiveOwner[];
  readonly grants: readonly LiveGrant[];
  readonly appRoleAssignments: readonly LiveAppRoleAssignment[];
  /** Object ID of Microsoft Graph's own service principal in the tenant: the resource of the User.Read grant. */
  readonly graphServicePrincipalId?: string;
}

const APPLICATION_READ = 'Application.Read.All';
/** oauth2PermissionGrants are not readable with Application.Read.All: Directory.Read.All is the least that reads them. */
const GRANTS_READ = 'Directory.Read.All';

const APPLICATION_FIELDS = [
  'id', 'appId', 'displayName', 'signInAudience', 'identifierUris', 'isFallbackPublicClient', 'api', 'appRoles',
  'requiredResourceAccess', 'web', 'spa', 'publicClient', 'keyCredentials', 'passwordCredentials',
];

/**
 * The application with this client ID, its owners and federated credentials; undefined when the
 * tenant has no such application (it was deleted).
 * @throws GraphError when it cannot be read
 */
export async function readApplication(graph: GraphClient, clientId: string): Promise<LiveApplication | undefined> {
  // $select on a single object makes Graph return each key credential's certificate (`key`), so its
  // thumbprint is the certificate's own, not the customKeyIdentifier whoever uploaded it chose.
  const read: GraphRead = { what: `the application ${clientId}`, permission: APPLICATION_READ };
  const raw = await readByAppId(graph, 'applications', clientId, APPLICATION_FIELDS, read);
  if (!raw) return undefined;
  const objectId = guid(raw.id, 'id', read);
  if (typeof raw.appId !== 'string' || raw.appId.toLowerCase() !== clientId) {
    throw new GraphError('malformed', `Graph's answer for ${read.what} is of another application (appId ${describe(raw.appId)})`);
  }
  const parsed = parseManifest(JSON.stringify(raw));
  if ('problem' in parsed) throw new GraphError('malformed', `Graph's answer for ${read.what} ${parsed.problem}`);
  const manifest = parsed.manifest;
  if (manifest.malformed.length > 0) {
    throw new GraphError('malformed', `Graph's answer for ${read.what} has ${manifest.malformed.map((m) => m.path).join(', ')} that is not a list`);
  }
  // Only a certificate VB365 could sign in with has a thumbprint to match: a symmetric or signing key
  // whose customKeyIdentifier claims one of the environment's thumbprints is no certificate of it.
  // (Graph always says both; a double that leaves them out is not taken to mean another kind.)
  const keyThumbprints = new Map(
    manifest.keyCredentials
      .filter(isVerifyingCertificate)
      .map((k) => [String(k.keyId).toLowerCase(), { thumbprint: k.thumbprint, thumbprintOfCertificate: k.certificate !== undefined }]),
  );
  const [owners, federated] = await Promise.all([
    graph.list(`/applications/${objectId}/owners?$select=id,displayName,userPrincipalName,appId`, { what: `the owners of ${read.what}`, permission: APPLICATION_READ }),
    graph.list(`/applications/${objectId}/federatedIdentityCredentials`, { what: `the federated credentials of ${read.what}`, permission: APPLICATION_READ }),
  ]);
  return {
    objectId,
    clientId,
    displayName: text(raw.displayName),
    manifest,
    passwordCredentials: credentials(raw.passwordCredentials, 'passwordCredentials', read),
    keyCredentials: credentials(raw.keyCredentials, 'keyCredentials', read).map((k) => ({ ...k, ...keyThumbprints.get(k.keyId) })),
    appRoles: list(raw.appRoles, 'appRoles', read).map((role, i) => ({
      id: guid(field(role, 'id'), `appRoles[${i}].id`, read),
      value: text(field(role, 'value')),
      displayName: text(field(role, 'displayName')),
      isEnabled: field(role, 'isEnabled') === true,
    })),
    federatedCredentials: federated.map((entry, i) => ({
      id: guid(field(entry, 'id'), `federatedIdentityCredentials[${i}].id`, read),
      name: text(field(entry, 'name')),
      issuer: text(field(entry, 'issuer')),
      subject: text(field(entry, 'subject')),
    })),
    owners: owners.map((entry, i) => owner(entry, i, read)),
  };
}

/**
 * The service principal of the client ID in the tenant, with what was given to it; undefined when
 * the tenant has none (never consented, or deleted).
 * @throws GraphError when it cannot be read
 */
export async function readServicePrincipal(graph: GraphClient, clientId: string): Promise<LiveServicePrincipal | undefined> {
  const read: GraphRead = { what: `the service principal of ${clientId}`, permission: APPLICATION_READ };
  const raw = await readByAppId(graph, 'servicePrincipals', clientId, ['id', 'appId', 'accountEnabled', 'keyCredentials', 'passwordCredentials'], read);
  if (!raw) return undefined;
  const objectId = guid(raw.id, 'id', read);
  if (typeof raw.appId !== 'string' || raw.appId.toLowerCase() !== clientId) {
    throw new GraphError('malformed', `Graph's answer for ${read.what} is of another application (appId ${describe(raw.appId)})`);
  }
  if (typeof raw.accountEnabled !== 'boolean') throw new GraphError('malformed', `Graph's answer for ${read.what} has accountEnabled ${describe(raw.accountEnabled)}, not true or false`);
  const of = (what: string) => `the ${what} of ${read.what}`;
  const [owners, grants, assignments, graphServicePrincipalId] = await Promise.all([
    graph.list(`/servicePrincipals/${objectId}/owners?$select=id,displayName,userPrincipalName,appId`, { what: of('owners'), permission: APPLICATION_READ }),
    readGrants(graph, objectId, { what: of('delegated permission grants (admin consent)'), permission: GRANTS_READ }),
    graph.list(`/servicePrincipals/${objectId}/appRoleAssignments`, { what: of('app role assignments (application permissions)'), permission: APPLICATION_READ }),
    readGraphServicePrincipalId(graph),
  ]);
  const grantsRead: GraphRead = { what: of('delegated permission grants'), permission: GRANTS_READ };
  const assignmentsRead: GraphRead = { what: of('app role assignments'), permission: APPLICATION_READ };
  return {
    objectId,
    accountEnabled: raw.accountEnabled,
    passwordCredentials: credentials(raw.passwordCredentials, 'passwordCredentials', read),
    keyCredentials: credentials(raw.keyCredentials, 'keyCredentials', read),
    owners: owners.map((entry, i) => owner(entry, i, { ...read, what: of('owners') })),
    grants: grants.map((entry, i) => {
      const scope = field(entry, 'scope');
      if (scope !== undefined && scope !== null && typeof scope !== 'string') throw malformedField(`[${i}].scope`, scope, grantsRead);
      return {
        id: nonEmptyId(field(entry, 'id'), `[${i}].id`, grantsRead),
        consentType: text(field(entry, 'consentType')),
        principalId: text(field(entry, 'principalId')),
        resourceId: text(field(entry, 'resourceId')),
        // A grant holds a few scopes; a longer list is cut, never read whole into a report.
        scopes: typeof scope === 'string' ? scope.slice(0, 4000).split(/\s+/).filter(Boolean).map((s) => clip(s, 100)) : [],
      };
    }),
    appRoleAssignments: assignments.map((entry, i) => ({
      id: nonEmptyId(field(entry, 'id'), `[${i}].id`, assignmentsRead),
      appRoleId: text(field(entry, 'appRoleId')),
      resourceId: text(field(entry, 'resourceId')),
      resourceDisplayName: text(field(entry, 'resourceDisplayName')),
      created: text(field(entry, 'createdDateTime')),
    })),
    graphServicePrincipalId,
  };
}

/** Microsoft Graph's service principal in the tenant, which every tenant has; undefined if this one has not. */
async function readGraphServicePrincipalId(graph: GraphClient): Promise<string | undefined> {
  const read: GraphRead = { what: "Microsoft Graph's service principal", permission: APPLICATION_READ };
  const raw = await readByAppId(graph, 'servicePrincipals', MICROSOFT_GRAPH_CLIENT_ID, ['id'], read);
  return raw === undefined ? undefined : guid(raw.id, 'id', read);
}

/** What a Graph-compatible endpoint may answer a form of address it does not take with. */
const ADDRESS_NOT_TAKEN = new Set([400, 404, 405, 501]);

function addressNotTaken(error: unknown): boolean {
  return error instanceof GraphError && error.status !== undefined && ADDRESS_NOT_TAKEN.has(error.status);
}

/**
 * The delegated permission grants whose client is the service principal: its own list, or, where an
 * endpoint does not take that (see ADDRESS_NOT_TAKEN), all grants filtered on clientId, both Graph's.
 */
async function readGrants(graph: GraphClient, servicePrincipalId: string, read: GraphRead): Promise<unknown[]> {
  try {
    return await graph.list(`/servicePrincipals/${servicePrincipalId}/oauth2PermissionGrants`, read);
  } catch (error) {
    if (!addressNotTaken(error)) throw error;
  }
  const grants = await graph.list(`/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${servicePrincipalId}'`)}`, read);
  return grants.filter((grant) => typeof field(grant, 'clientId') !== 'string' || String(field(grant, 'clientId')).toLowerCase() === servicePrincipalId);
}

/**
 * The application or service principal of a client ID, with the fields in `select`; undefined when
 * the tenant has none. Graph's alternate key (`/applications(appId='...')`) reads it in one request.
 * Where that answers 400, 404, 405 or 501 (no such object, or an endpoint that speaks Graph but not
 * its alternate keys, which the azuread provider never uses), the list filtered on appId finds its
 * object ID and the object is read by it, as the provider reads it: a single object, so that key
 * credentials come with their certificates.
 * @throws GraphError when it cannot be read
 */
async function readByAppId(
  graph: GraphClient,
  collection: 'applications' | 'servicePrincipals',
  clientId: string,
  select: readonly string[],
  read: GraphRead,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await graph.get(`/${collection}(appId='${clientId}')?$select=${select.join(',')}`, read);
  } catch (error) {
    if (!addressNotTaken(error)) throw error;
  }
  const found = await graph.list(`/${collection}?$filter=${encodeURIComponent(`appId eq '${clientId}'`)}&$select=id,appId`, read);
  const matching = found.filter((item) => typeof field(item, 'appId') === 'string' && String(field(item, 'appId')).toLowerCase() === clientId);
  if (matching.length === 0) return undefined;
  if (matching.length > 1) throw new GraphError('malformed', `Graph's answer for ${read.what} lists ${matching.length} objects with that client ID, where there is one`);
  return orNone(graph.get(`/${collection}/${guid(field(matching[0], 'id'), 'id', read)}?$select=${select.join(',')}`, read));
}

/** An object that Graph says is not there (404) as undefined; any other failure stays one. */
async function orNone<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof GraphError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

function credentials(value: unknown, name: string, read: GraphRead): LiveCredential[] {
  return list(value, name, read).map((entry, i) => ({
    keyId: guid(field(entry, 'keyId'), `${name}[${i}].keyId`, read),
    displayName: text(field(entry, 'displayName')),
    hint: text(field(entry, 'hint')),
    start: text(field(entry, 'startDateTime')),
    end: text(field(entry, 'endDateTime')),
    type: text(field(entry, 'type')),
    usage: text(field(entry, 'usage')),
  }));
}

function owner(entry: unknown, index: number, read: GraphRead): LiveOwner {
  const type = text(field(entry, '@odata.type'));
  const kind = type === '#microsoft.graph.user' ? 'user' : type === '#microsoft.graph.servicePrincipal' ? 'service principal' : type === '#microsoft.graph.group' ? 'group' : 'directory object';
  return {
    id: guid(field(entry, 'id'), `[${index}].id`, read),
    kind,
    displayName: text(field(entry, 'displayName')),
    detail: text(field(entry, 'userPrincipalName')) ?? text(field(entry, 'appId')),
  };
}

function list(value: unknown, name: string, read: GraphRead): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformedField(name, value, read);
  return value;
}

function field(entry: unknown, key: string): unknown {
  return isPlainObject(entry) ? entry[key] : undefined;
}

/** A key credential VB365 could sign in with: a certificate used to verify, as far as Graph says its type and usage. */
export function isVerifyingCertificate(credential: { readonly type?: unknown; readonly usage?: unknown }): boolean {
  return (credential.type ?? 'AsymmetricX509Cert') === 'AsymmetricX509Cert' && (credential.usage ?? 'Verify') === 'Verify';
}

/** Text to show, cut to what a report line holds; anything else is read as absent. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? clip(value, 300) : undefined;
}

/** An ID that goes into the next request's path, or into a command the report suggests: a GUID, nothing else. */
function guid(value: unknown, name: string, read: GraphRead): string {
  if (typeof value !== 'string' || !isGuid(value)) throw malformedField(name, value, read);
  return value.toLowerCase();
}

/** Grant and assignment IDs are not GUIDs (base64-like); they go into a suggested command, so only their own characters pass. */
function nonEmptyId(value: unknown, name: string, read: GraphRead): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw malformedField(name, value, read);
  return value;
}

function malformedField(name: string, value: unknown, read: GraphRead): GraphError {
  return new GraphError('malformed', `Graph's answer for ${read.what} has ${name} ${describe(value)}, which it never holds`);
}
