import type { Certificate } from '../certificates/certificate';
import { describe, fieldPath, isPlainObject, readArray, readBoolean, readGuid, readObject, type Report } from '../input/field-reader';
import { MICROSOFT_GRAPH_CLIENT_ID } from './well-known';

/**
 * An existing registration (made by Veeam's wizard, its script or by hand as in Veeam's article)
 * that the stack imports instead of creating, so that its Application ID, and every VB365 server
 * using it, stay as they are.
 */
export interface AdoptInput {
  /** Object ID of the app registration (Entra: App registrations > Overview > Object ID; manifest `id`). */
  readonly applicationObjectId: string;
  /** Application (client) ID of the registration: the `-ApplicationId` VB365 is configured with. */
  readonly clientId: string;
  /** ID of its `access_as_user` scope (manifest `api.oauth2PermissionScopes[].id`). */
  readonly scopeId: string;
  /** Object ID of its service principal (Entra: Enterprise applications > Object ID). */
  readonly servicePrincipalObjectId: string;
  /**
   * IDs of the tenant-wide admin consent grants given earlier ("Grant admin consent" in the portal).
   * @default none: the grants are created, which fails with "Permission entry already exists" if consent was given
   */
  readonly consentGrantIds?: {
    /** The grant whose resource is Microsoft Graph (scope `User.Read`). */
    readonly microsoftGraph?: string;
    /** The grant whose resource is the application's own service principal (scope `access_as_user`). */
    readonly self?: string;
  };
  /**
   * Key IDs of the key credentials that already hold certificates listed in `certificates`, by SHA-1 thumbprint.
   * @default none: every certificate is added as a new key credential
   */
  readonly certificateKeyIds?: Readonly<Record<string, string>>;
  /**
   * Whether the registration already pre-authorizes its own client for `access_as_user`.
   * @default false (neither Veeam's wizard, its script nor the article does)
   */
  readonly preAuthorized?: boolean;
  /** Which of `owners` already own the application; they are imported, the others added. @default none */
  readonly existingOwners?: readonly string[];
}

/** A validated adoption: the IDs of what exists, each checked against the rest of the props. */
export interface Adoption {
  readonly applicationObjectId: string;
  readonly clientId: string;
  readonly scopeId: string;
  readonly servicePrincipalObjectId: string;
  readonly consentGrantIds: { readonly microsoftGraph?: string; readonly self?: string };
  /** Key IDs by upper-case thumbprint. */
  readonly certificateKeyIds: ReadonlyMap<string, string>;
  readonly preAuthorized: boolean;
  readonly existingOwners: readonly string[];
}

/** What `readAdoption` checks the adoption against; undefined where that part of the props is itself invalid. */
export interface AdoptionContext {
  readonly certificates: readonly Certificate[] | undefined;
  readonly owners: readonly string[] | undefined;
  /** The props' own `scopeId`, when given and valid. */
  readonly scopeId: string | undefined;
  /** Which values are Terraform references, taken unchecked for the IDs. @default none are */
  readonly isReference?: (value: unknown) => value is string;
}

const FIELDS = [
  'applicationObjectId',
  'clientId',
  'scopeId',
  'servicePrincipalObjectId',
  'consentGrantIds',
  'certificateKeyIds',
  'preAuthorized',
  'existingOwners',
] as const satisfies readonly (keyof AdoptInput)[];
const REQUIRED = ['applicationObjectId', 'clientId', 'scopeId', 'servicePrincipalObjectId'] as const;
const GRANT_FIELDS = ['microsoftGraph', 'self'] as const;
/** OAuth2 permission grant IDs are opaque base64url strings, not GUIDs. */
const GRANT_ID = /^[A-Za-z0-9_-]+$/;
const THUMBPRINT = /^[0-9a-f]{40}$/i;

const WHAT = {
  applicationObjectId: 'the object ID of the app registration, a GUID',
  clientId: 'the Application (client) ID, a GUID',
  scopeId: 'the ID of the access_as_user scope, a GUID',
  servicePrincipalObjectId: 'the object ID of the service principal (Enterprise application), a GUID',
} as const;

/** Checks the `adopt` prop of a `RestorePortalApp`, or the `adopt` field of an environment file. */
export function readAdoption(value: unknown, path: string, context: AdoptionContext, report: Report): Adoption | undefined {
  let ok = true;
  const fail: Report = (at, message) => {
    report(at, message);
    ok = false;
  };
  const raw = readObject(value, path, FIELDS, fail);
  if (!raw) return undefined;
  const isReference = context.isReference ?? ((_value: unknown): _value is string => false);
  const ids: Partial<Record<(typeof REQUIRED)[number], string>> = {};
  for (const field of REQUIRED) {
    const at = fieldPath(path, field);
    const id = raw[field];
    if (id === undefined) fail(at, `is required to adopt a registration: ${WHAT[field]}`);
    else ids[field] = isReference(id) ? id : readGuid(id, at, fail, WHAT[field]);
  }
  if (ids.scopeId && context.scopeId !== undefined && context.scopeId !== ids.scopeId) {
    const adopted = isReference(ids.scopeId) ? 'a Terraform reference' : ids.scopeId;
    fail('scopeId', `differs from ${fieldPath(path, 'scopeId')} (${adopted}); an adopted registration keeps its scope ID: remove scopeId`);
  }
  const consentGrantIds = readConsentGrantIds(raw.consentGrantIds, fieldPath(path, 'consentGrantIds'), fail, isReference);
  const certificateKeyIds = readCertificateKeyIds(raw.certificateKeyIds, fieldPath(path, 'certificateKeyIds'), context, fail, isReference);
  const preAuthorized = raw.preAuthorized === undefined ? false : readBoolean(raw.preAuthorized, fieldPath(path, 'preAuthorized'), fail);
  const existingOwners = readExistingOwners(raw.existingOwners, fieldPath(path, 'existingOwners'), context, fail, isReference);
  if (!ok) return undefined;
  return {
    applicationObjectId: ids.applicationObjectId!,
    clientId: ids.clientId!,
    scopeId: ids.scopeId!,
    servicePrincipalObjectId: ids.servicePrincipalObjectId!,
    consentGrantIds,
    certificateKeyIds,
    preAuthorized: preAuthorized!,
    existingOwners,
  };
}

/** Checks `consentGrantIds`: the IDs of the admin consent grants that exist, one per resource; references taken where `isReference` says. */
export function readConsentGrantIds(
  value: unknown,
  path: string,
  fail: Report,
  isReference: (value: unknown) => value is string = (_value: unknown): _value is string => false,
): Adoption['consentGrantIds'] {
  if (value === undefined) return {};
  const raw = readObject(value, path, GRANT_FIELDS, fail);
  if (!raw) return {};
  const grants: { microsoftGraph?: string; self?: string } = {};
  for (const field of GRANT_FIELDS) {
    const id = raw[field];
    if (id === undefined) continue;
    if (isReference(id)) {
      grants[field] = id;
      continue;
    }
    if (typeof id !== 'string' || !GRANT_ID.test(id)) {
      fail(
        fieldPath(path, field),
        `must be the id of an oauth2PermissionGrant (letters, digits, "-" and "_", without "/oauth2PermissionGrants/"); got ${describe(id)}`,
      );
      continue;
    }
    grants[field] = id;
  }
  if (grants.microsoftGraph && grants.microsoftGraph === grants.self) {
    fail(fieldPath(path, 'self'), 'is the same grant as microsoftGraph; each resource has its own grant');
  }
  return grants;
}

function readCertificateKeyIds(
  value: unknown,
  path: string,
  context: AdoptionContext,
  fail: Report,
  isReference: (value: unknown) => value is string,
): Map<string, string> {
  const keyIds = new Map<string, string>();
  if (value === undefined) return keyIds;
  if (!isPlainObject(value)) {
    fail(path, `must be an object of "<certificate thumbprint>": "<key ID>"; got ${describe(value)}`);
    return keyIds;
  }
  // Only certificate files exist before deploying; self-signed ones are made by Terraform.
  const known = context.certificates?.flatMap((c) => (c.source === 'file' ? [c.thumbprint] : []));
  const byKeyId = new Map<string, string>();
  for (const [thumbprint, keyId] of Object.entries(value)) {
    const at = fieldPath(path, thumbprint);
    if (!THUMBPRINT.test(thumbprint)) {
      fail(at, 'must be keyed by a SHA-1 thumbprint (40 hexadecimal digits, as Windows and VB365 show it)');
      continue;
    }
    const upper = thumbprint.toUpperCase();
    if (known && !known.includes(upper)) {
      fail(at, `no certificate in certificates has this thumbprint; theirs: ${known.join(', ')}`);
      continue;
    }
    const id = isReference(keyId) ? keyId : readGuid(keyId, at, fail, 'the key ID of the key credential, a GUID');
    if (!id) continue;
    const other = byKeyId.get(id);
    if (other) {
      fail(at, `has the same key ID as ${other}; each key credential holds one certificate`);
      continue;
    }
    byKeyId.set(id, upper);
    keyIds.set(upper, id);
  }
  return keyIds;
}

function readExistingOwners(
  value: unknown,
  path: string,
  context: AdoptionContext,
  fail: Report,
  isReference: (value: unknown) => value is string,
): string[] {
  if (value === undefined) return [];
  const list = readArray(value, path, fail);
  if (!list) return [];
  const owners: string[] = [];
  list.forEach((entry, index) => {
    const at = fieldPath(path, index);
    const owner = isReference(entry) ? entry : readGuid(entry, at, fail, 'an object ID listed in owners, a GUID');
    if (!owner) return;
    if (context.owners && !context.owners.includes(owner)) {
      fail(
        at,
        isReference(owner)
          ? 'is a Terraform reference that owners does not hold; give owners the very same one (the same variable), or remove it here'
          : `${owner} is not in owners; list it there too, or remove it here`,
      );
      return;
    }
    if (!owners.includes(owner)) owners.push(owner);
  });
  return owners;
}

/**
 * Terraform import IDs of azuread 3.x (provider docs and its `parse` package), which differ per
 * resource: most are `/applications/{objectId}/...`, the pre-authorization and the certificate
 * have no leading slash, and the identifier URI is addressed by its base64.
 */
export const IMPORT_ID = {
  application: (objectId: string) => `/applications/${objectId}`,
  servicePrincipal: (objectId: string) => `/servicePrincipals/${objectId}`,
  /** The provider path-unescapes the segment, then base64-decodes it; `/`, `+` and `=` must be escaped. */
  identifierUri: (objectId: string, uri: string) =>
    `/applications/${objectId}/identifierUris/${encodeURIComponent(Buffer.from(uri, 'utf8').toString('base64'))}`,
  permissionScope: (objectId: string, scopeId: string) => `/applications/${objectId}/permissionScopes/${scopeId}`,
  redirectUris: (objectId: string, type: 'SPA' | 'Web' | 'PublicClient') => `/applications/${objectId}/redirectUris/${type}`,
  fallbackPublicClient: (objectId: string) => `/applications/${objectId}/fallbackPublicClient`,
  apiAccess: (objectId: string, apiClientId: string) => `/applications/${objectId}/apiAccess/${apiClientId}`,
  preAuthorized: (objectId: string, clientId: string) => `${objectId}/preAuthorizedApplication/${clientId}`,
  certificate: (objectId: string, keyId: string) => `${objectId}/certificate/${keyId}`,
  owner: (objectId: string, ownerObjectId: string) => `/applications/${objectId}/owners/${ownerObjectId}`,
  delegatedPermissionGrant: (grantId: string) => `/oauth2PermissionGrants/${grantId}`,
} as const;

/** How a `RestorePortalApp` names its Terraform resources, for the addresses of the imports. */
export interface TerraformNames {
  /** What every name starts with (`portal`). */
  readonly base: string;
  /** The name of the `azuread_application_owner` of an owner (`portal_<object ID without dashes>`). */
  readonly owner: (owner: string) => string;
}

/**
 * The import ID of every resource an adoption brings under management, by Terraform address
 * (`azuread_application_registration.portal`). Parts the adoption does not vouch for are absent and
 * get created; the deploying identity's ownership of the registration is always imported, as it
 * cannot grant it to itself. `identifierUriImportId` builds the identifier URI's, which has to encode
 * the URI (the construct gives one that Terraform encodes when the client ID is a reference).
 */
export function adoptionImports(
  adoption: Adoption,
  names: TerraformNames,
  deployingIdentityObjectId?: string,
  identifierUriImportId: (objectId: string, uri: string) => string = IMPORT_ID.identifierUri,
): Map<string, string> {
  const app = adoption.applicationObjectId;
  const name = names.base;
  const imports = new Map<string, string>([
    [`azuread_application_registration.${name}`, IMPORT_ID.application(app)],
    [`azuread_application_identifier_uri.${name}`, identifierUriImportId(app, `api://${adoption.clientId}`)],
    [`azuread_application_permission_scope.${name}_access_as_user`, IMPORT_ID.permissionScope(app, adoption.scopeId)],
    [`azuread_application_redirect_uris.${name}_spa`, IMPORT_ID.redirectUris(app, 'SPA')],
    [`azuread_application_fallback_public_client.${name}`, IMPORT_ID.fallbackPublicClient(app)],
    [`azuread_application_api_access.${name}_microsoft_graph`, IMPORT_ID.apiAccess(app, MICROSOFT_GRAPH_CLIENT_ID)],
    [`azuread_application_api_access.${name}_self`, IMPORT_ID.apiAccess(app, adoption.clientId)],
    [`azuread_service_principal.${name}`, IMPORT_ID.servicePrincipal(adoption.servicePrincipalObjectId)],
  ]);
  if (adoption.preAuthorized) {
    imports.set(`azuread_application_pre_authorized.${name}_self`, IMPORT_ID.preAuthorized(app, adoption.clientId));
  }
  const grants = adoption.consentGrantIds;
  if (grants.microsoftGraph) {
    imports.set(`azuread_service_principal_delegated_permission_grant.${name}_microsoft_graph`, IMPORT_ID.delegatedPermissionGrant(grants.microsoftGraph));
  }
  if (grants.self) {
    imports.set(`azuread_service_principal_delegated_permission_grant.${name}_self`, IMPORT_ID.delegatedPermissionGrant(grants.self));
  }
  for (const [thumbprint, keyId] of adoption.certificateKeyIds) {
    imports.set(`azuread_application_certificate.${name}_${thumbprint.toLowerCase()}`, IMPORT_ID.certificate(app, keyId));
  }
  const owned = deployingIdentityObjectId ? new Set([...adoption.existingOwners, deployingIdentityObjectId]) : adoption.existingOwners;
  for (const owner of owned) {
    imports.set(`azuread_application_owner.${names.owner(owner)}`, IMPORT_ID.owner(app, owner));
  }
  return imports;
}
