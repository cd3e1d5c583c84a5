import { createHash, X509Certificate } from 'node:crypto';
import { formatDate } from '../certificates/certificate';
import { describeCode, mayReplace, writeFileAtomically } from '../process/atomic-file';
import { clipped, readUserFile, UserError } from '../process/command-line';
import { parseJson } from '../input/json-text';
import { uuidV5 } from '../construct/deterministic-uuid';
import type { Environment } from '../environment/environment';
import type { Warning } from '../process/problem';
import { describe, isGuid, isPlainObject } from '../input/field-reader';
import { ACCESS_AS_USER, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';

/**
 * The two JSON shapes the Entra admin center has offered for download: the Microsoft Graph format
 * (the application object of Microsoft Graph, the only one since January 2025) and the older
 * Azure AD Graph format (Veeam's article, Appendix A).
 */
export type ManifestFormat = 'microsoft-graph' | 'azure-ad-graph';

export const MANIFEST_FORMAT_NAMES: Readonly<Record<ManifestFormat, string>> = {
  'microsoft-graph': 'Microsoft Graph',
  'azure-ad-graph': 'Azure AD Graph',
};

/** A value read from a manifest and where it was (`replyUrlsWithType[0].url`), as written in that manifest's format. */
export interface Located<T = unknown> {
  readonly path: string;
  /** The value as found; undefined when the field is absent. Not trusted: a hand-edited manifest holds anything. */
  readonly value: T;
}

export interface ManifestScope {
  readonly path: string;
  readonly id: unknown;
  readonly value: unknown;
  readonly type: unknown;
  readonly isEnabled: unknown;
  readonly adminConsentDisplayName: unknown;
  readonly adminConsentDescription: unknown;
  readonly userConsentDisplayName: unknown;
  readonly userConsentDescription: unknown;
}

/** Where a redirect URI is registered: the platform the Restore Portal needs is `Spa`. */
export type RedirectUriType = 'Spa' | 'Web' | 'InstalledClient';

export interface ManifestRedirectUri extends Located {
  /** The platform, as the Azure AD Graph format names it; `unknown` is an unrecognised `type` there. */
  readonly type: RedirectUriType | { readonly unknown: unknown };
}

export interface ManifestResourceAccess {
  readonly path: string;
  readonly resourceAppId: unknown;
  readonly access: readonly { readonly path: string; readonly id: unknown; readonly type: unknown }[];
}

export interface ManifestPreAuthorization {
  readonly path: string;
  readonly appId: unknown;
  readonly permissionIds: unknown;
}

export interface ManifestKeyCredential {
  readonly path: string;
  readonly keyId: unknown;
  readonly type: unknown;
  readonly usage: unknown;
  readonly displayName: unknown;
  readonly startDate: unknown;
  readonly endDate: unknown;
  /** Field names of this format, for messages (`endDateTime` or `endDate`). */
  readonly names: { readonly startDate: string; readonly endDate: string; readonly key: string };
  /** SHA-1 thumbprint (upper-case hex) from the certificate itself when the manifest carries it, else from customKeyIdentifier; none when the certificate it carries cannot be read. */
  readonly thumbprint?: string;
  /** The certificate, when the manifest carries it (downloads do not; written manifests do). */
  readonly certificate?: { readonly keyType: string; readonly rsaBits?: number } | { readonly problem: string };
}

/** One app registration as a manifest describes it, the same whichever format the manifest is in. */
export interface ApplicationManifest {
  readonly format: ManifestFormat;
  readonly objectId: Located;
  readonly clientId: Located;
  readonly displayName: Located;
  readonly signInAudience: Located;
  readonly fallbackPublicClient: Located;
  readonly implicitAccessToken: Located;
  readonly implicitIdToken: Located;
  readonly accessTokenVersion: Located;
  readonly identifierUris: readonly Located[];
  readonly scopes: readonly ManifestScope[];
  readonly preAuthorizations: readonly ManifestPreAuthorization[];
  readonly redirectUris: readonly ManifestRedirectUri[];
  readonly requiredResourceAccess: readonly ManifestResourceAccess[];
  readonly keyCredentials: readonly ManifestKeyCredential[];
  /** Lists that are not lists (`"spa": { "redirectUris": "https://..." }`): read as empty, reported by the doctor. */
  readonly malformed: readonly Located[];
  /**
   * Whether this is a manifest `npm run manifest` wrote from an environment file (see isWrittenManifest):
   * it says what the code describes, not what the registration in Entra is.
   */
  readonly written: boolean;
}

/** Fields only one format has, to tell them apart. */
const MARKERS: Readonly<Record<ManifestFormat, readonly string[]>> = {
  'microsoft-graph': ['api', 'spa', 'web', 'publicClient', 'isFallbackPublicClient'],
  'azure-ad-graph': ['oauth2Permissions', 'replyUrlsWithType', 'allowPublicClient', 'oauth2AllowImplicitFlow', 'accessTokenAcceptedVersion'],
};

/**
 * Reads an application manifest file as downloaded from the Entra admin center, in either format.
 * @throws UserError (one line, naming the file) when it is unreadable or not an application manifest
 */
export function readManifestFile(file: string, cwd = process.cwd()): ApplicationManifest {
  const result = parseManifest(readUserFile(file, cwd));
  if ('problem' in result) throw new UserError(`${file}: ${result.problem}`);
  return result.manifest;
}

/** Parses manifest text in either format into one model, or says in one line why it is not a manifest. */
export function parseManifest(text: string): { manifest: ApplicationManifest } | { problem: string } {
  const parsed = parseJson(text.replace(/^\uFEFF/, ''));
  if ('problem' in parsed) return parsed;
  const value = parsed.value;
  if (Array.isArray(value)) return { problem: 'holds a JSON list; give the manifest of one application (a JSON object)' };
  if (!isPlainObject(value)) return { problem: `is not an application manifest: expected a JSON object, got ${describe(value)}` };
  const found = (format: ManifestFormat) => MARKERS[format].filter((key) => key in value);
  const graph = found('microsoft-graph');
  const aad = found('azure-ad-graph');
  if (graph.length > 0 && aad.length > 0) {
    return {
      problem: `mixes the Microsoft Graph format (${graph.join(', ')}) and the Azure AD Graph format (${aad.join(', ')}); download the manifest again`,
    };
  }
  if (graph.length > 0) return { manifest: { ...readGraphFormat(value), written: isWrittenManifest(value) } };
  if (aad.length > 0) return { manifest: { ...readAzureAdGraphFormat(value), written: false } };
  return {
    problem:
      'is not an application manifest: it has none of the fields of the Microsoft Graph format (api, spa, web, isFallbackPublicClient) or of the Azure AD Graph format (oauth2Permissions, replyUrlsWithType, allowPublicClient)',
  };
}

/** The value at a dotted path of the manifest (`web.implicitGrantSettings.enableIdTokenIssuance`), and that path. */
function at(root: unknown, path: string): Located {
  let value: unknown = root;
  for (const key of path.split('.')) value = isPlainObject(value) ? value[key] : undefined;
  return { path, value };
}

/**
 * The entries of the list at `path` (below `base`, the path of `root` in the manifest); anything
 * other than a list is recorded as malformed and read as empty.
 */
function listAt(root: unknown, path: string, malformed: Located[], base = ''): Located[] {
  const { value } = at(root, path);
  const shown = base ? `${base}.${path}` : path;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    malformed.push({ path: shown, value });
    return [];
  }
  return value.map((entry, index) => ({ path: `${shown}[${index}]`, value: entry }));
}

function field(entry: unknown, key: string): unknown {
  return isPlainObject(entry) ? entry[key] : undefined;
}

function readGraphFormat(m: Record<string, unknown>): Omit<ApplicationManifest, 'written'> {
  const malformed: Located[] = [];
  const redirects = (key: 'spa' | 'web' | 'publicClient', type: RedirectUriType): ManifestRedirectUri[] =>
    listAt(m, `${key}.redirectUris`, malformed).map((e) => ({ ...e, type }));
  return {
    format: 'microsoft-graph',
    objectId: at(m, 'id'),
    clientId: at(m, 'appId'),
    displayName: at(m, 'displayName'),
    signInAudience: at(m, 'signInAudience'),
    fallbackPublicClient: at(m, 'isFallbackPublicClient'),
    implicitAccessToken: at(m, 'web.implicitGrantSettings.enableAccessTokenIssuance'),
    implicitIdToken: at(m, 'web.implicitGrantSettings.enableIdTokenIssuance'),
    accessTokenVersion: at(m, 'api.requestedAccessTokenVersion'),
    identifierUris: listAt(m, 'identifierUris', malformed),
    scopes: listAt(m, 'api.oauth2PermissionScopes', malformed).map(readScope),
    preAuthorizations: listAt(m, 'api.preAuthorizedApplications', malformed).map((e) => ({
      path: e.path,
      appId: field(e.value, 'appId'),
      // v1.0 calls them delegatedPermissionIds, beta permissionIds.
      permissionIds: field(e.value, 'delegatedPermissionIds') ?? field(e.value, 'permissionIds'),
    })),
    redirectUris: [...redirects('spa', 'Spa'), ...redirects('web', 'Web'), ...redirects('publicClient', 'InstalledClient')],
    requiredResourceAccess: readResourceAccess(m, malformed),
    keyCredentials: listAt(m, 'keyCredentials', malformed).map((e) =>
      readKeyCredential(e, { startDate: 'startDateTime', endDate: 'endDateTime', key: 'key' }),
    ),
    malformed,
  };
}

function readAzureAdGraphFormat(m: Record<string, unknown>): Omit<ApplicationManifest, 'written'> {
  const malformed: Located[] = [];
  return {
    format: 'azure-ad-graph',
    objectId: at(m, 'id'),
    clientId: at(m, 'appId'),
    displayName: at(m, 'name'),
    signInAudience: at(m, 'signInAudience'),
    fallbackPublicClient: at(m, 'allowPublicClient'),
    implicitAccessToken: at(m, 'oauth2AllowImplicitFlow'),
    implicitIdToken: at(m, 'oauth2AllowIdTokenImplicitFlow'),
    accessTokenVersion: at(m, 'accessTokenAcceptedVersion'),
    identifierUris: listAt(m, 'identifierUris', malformed),
    scopes: listAt(m, 'oauth2Permissions', malformed).map(readScope),
    preAuthorizations: listAt(m, 'preAuthorizedApplications', malformed).map((e) => ({
      path: e.path,
      appId: field(e.value, 'appId'),
      permissionIds: field(e.value, 'permissionIds'),
    })),
    redirectUris: listAt(m, 'replyUrlsWithType', malformed).map((e) => {
      const type = field(e.value, 'type');
      return {
        path: `${e.path}.url`,
        value: field(e.value, 'url'),
        type: type === 'Spa' || type === 'Web' || type === 'InstalledClient' ? type : { unknown: type },
      };
    }),
    requiredResourceAccess: readResourceAccess(m, malformed),
    keyCredentials: listAt(m, 'keyCredentials', malformed).map((e) =>
      readKeyCredential(e, { startDate: 'startDate', endDate: 'endDate', key: 'value' }),
    ),
    malformed,
  };
}

function readScope(entry: Located): ManifestScope {
  const get = (key: string) => field(entry.value, key);
  return {
    path: entry.path,
    id: get('id'),
    value: get('value'),
    type: get('type'),
    isEnabled: get('isEnabled'),
    adminConsentDisplayName: get('adminConsentDisplayName'),
    adminConsentDescription: get('adminConsentDescription'),
    userConsentDisplayName: get('userConsentDisplayName'),
    userConsentDescription: get('userConsentDescription'),
  };
}

function readResourceAccess(m: Record<string, unknown>, malformed: Located[]): ManifestResourceAccess[] {
  return listAt(m, 'requiredResourceAccess', malformed).map((e) => ({
    path: e.path,
    resourceAppId: field(e.value, 'resourceAppId'),
    access: listAt(e.value, 'resourceAccess', malformed, e.path).map((a) => ({
      path: a.path,
      id: field(a.value, 'id'),
      type: field(a.value, 'type'),
    })),
  }));
}

function readKeyCredential(entry: Located, names: ManifestKeyCredential['names']): ManifestKeyCredential {
  const get = (key: string) => field(entry.value, key);
  const certificate = readEmbeddedCertificate(get(names.key));
  return {
    path: entry.path,
    keyId: get('keyId'),
    type: get('type'),
    usage: get('usage'),
    displayName: get('displayName'),
    startDate: get(names.startDate),
    endDate: get(names.endDate),
    names,
    // customKeyIdentifier is whatever the uploader wrote: it stands in only when the manifest carries no
    // certificate (a download), never for one it carries that cannot be read.
    thumbprint: certificate === undefined ? thumbprintOf(get('customKeyIdentifier')) : certificate.thumbprint,
    certificate: certificate?.details,
  };
}

/**
 * The thumbprint in a customKeyIdentifier: Microsoft Graph returns the SHA-1 bytes in base64,
 * while Microsoft's own examples and some scripts write the thumbprint as 40 hex digits.
 */
function thumbprintOf(customKeyIdentifier: unknown): string | undefined {
  if (typeof customKeyIdentifier !== 'string') return undefined;
  if (/^[0-9a-f]{40}$/i.test(customKeyIdentifier)) return customKeyIdentifier.toUpperCase();
  const bytes = Buffer.from(customKeyIdentifier, 'base64');
  return bytes.length === 20 && bytes.toString('base64') === customKeyIdentifier ? bytes.toString('hex').toUpperCase() : undefined;
}

function readEmbeddedCertificate(
  value: unknown,
): { thumbprint?: string; details: NonNullable<ManifestKeyCredential['certificate']> } | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const der = Buffer.from(value, 'base64');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    return { details: { problem: 'is not a base64 DER X.509 certificate' } };
  }
  const key = x509.publicKey;
  return {
    thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    details: { keyType: key.asymmetricKeyType ?? 'unknown', rsaBits: key.asymmetricKeyDetails?.modulusLength },
  };
}

/** What a manifest of a registration not imported yet cannot know by itself. */
export interface ManifestIdentity {
  /** The Application (client) ID: the identifier URI and the access to its own scope name it. */
  readonly clientId: string;
  /** The object ID (manifest `id`), when known. */
  readonly objectId?: string;
}

/**
 * The IDs a manifest of this environment's registration carries: those of the adopted registration,
 * or the Application ID of one the Entra admin has just created (`--client-id`).
 * @throws UserError when neither is known, or they disagree
 */
export function manifestIdentity(env: Environment, clientIdOption: string | undefined): ManifestIdentity {
  if (clientIdOption !== undefined && !isGuid(clientIdOption)) {
    throw new UserError(`--client-id must be an Application (client) ID, a GUID; got "${clipped(clientIdOption)}"`);
  }
  const adoption = env.adoption;
  if (adoption) {
    if (clientIdOption !== undefined && clientIdOption.toLowerCase() !== adoption.clientId) {
      throw new UserError(`--client-id ${clientIdOption} differs from adopt.clientId ${adoption.clientId} in ${env.file}; leave --client-id out`);
    }
    return { clientId: adoption.clientId, objectId: adoption.applicationObjectId };
  }
  if (clientIdOption === undefined) {
    throw new UserError(
      `${env.file} describes a registration that does not exist yet, and its manifest needs the Application (client) ID (for api://<client id> and the access to its own scope): create the registration in Entra (App registrations > New registration), then pass --client-id <its Application (client) ID>; or adopt an existing one in ${env.file}`,
    );
  }
  return { clientId: clientIdOption.toLowerCase() };
}

/**
 * Writes a manifest as formatted JSON, whole or not at all. It replaces only a manifest this command
 * wrote (isWrittenManifest), never one downloaded from Entra (`prod.manifest.json` is what people call
 * those too) nor any other file, unless `force`; never a folder or a link. `shown` is the path as the
 * user gave it.
 */
export function writeManifestFile(file: string, manifest: Record<string, unknown>, shown = file, options: { readonly force?: boolean } = {}): void {
  if (!mayReplace(file, (text) => (options.force ?? false) || isWrittenManifest(JSON.parse(text)))) {
    const what = options.force ? 'is not a regular file' : 'is there and was not written by npm run manifest (a manifest downloaded from Entra, or another file)';
    throw new UserError(`--out ${shown}: ${what}; refusing to replace it: give another file${options.force ? '' : ', or pass --force to replace it'}`);
  }
  try {
    writeFileAtomically(file, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new UserError(`--out ${shown}: cannot be written: ${describeCode(code)}; nothing was written`);
  }
}

/**
 * What a manifest of this environment leaves out: a self-signed certificate exists only once Terraform
 * makes it, and this manifest is for applying the registration without Terraform. Without a key
 * credential VB365 cannot sign in, and the doctor reports the registration so.
 */
export function manifestWarnings(env: Environment): Warning[] {
  const warnings: Warning[] = env.certificates.flatMap((certificate, index) =>
    certificate.source !== 'selfSigned'
      ? []
      : [{
          file: env.file,
          path: `certificates[${index}]`,
          message: `self-signed certificate "${certificate.name}" is made by Terraform, so the manifest has no key credential for it: a registration applied by hand needs a certificate file ({ source: "file", path }) whose private key VB365 holds`,
        }],
  );
  if (warnings.length > 0 && warnings.length === env.certificates.length) {
    warnings.push({
      file: env.file,
      path: 'certificates',
      message: 'the manifest has no certificate at all (keyCredentials is []): VB365 cannot sign in with it, and npm run doctor reports it as a problem, until one is added',
    });
  }
  return warnings;
}

/**
 * The Microsoft Graph format manifest of the registration an environment describes, for an Entra
 * admin to apply by hand: the same settings the stack deploys, with the public certificates only.
 */
export function manifestOf(env: Environment, identity: ManifestIdentity): Record<string, unknown> {
  const { clientId } = identity;
  const texts = env.consentTexts;
  return {
    ...(identity.objectId ? { id: identity.objectId } : {}),
    appId: clientId,
    displayName: env.displayName,
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: [`api://${clientId}`],
    isFallbackPublicClient: true,
    api: {
      requestedAccessTokenVersion: 1,
      oauth2PermissionScopes: [
        {
          adminConsentDescription: texts.adminConsentDescription,
          adminConsentDisplayName: texts.adminConsentDisplayName,
          id: env.scopeId,
          isEnabled: true,
          type: 'Admin',
          userConsentDescription: texts.userConsentDescription,
          userConsentDisplayName: texts.userConsentDisplayName,
          value: ACCESS_AS_USER,
        },
      ],
      preAuthorizedApplications: [{ appId: clientId, delegatedPermissionIds: [env.scopeId] }],
    },
    spa: { redirectUris: [...env.redirectUris] },
    web: { redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
    publicClient: { redirectUris: [] },
    requiredResourceAccess: [
      { resourceAppId: MICROSOFT_GRAPH_CLIENT_ID, resourceAccess: [{ id: GRAPH_USER_READ_SCOPE_ID, type: 'Scope' }] },
      { resourceAppId: clientId, resourceAccess: [{ id: env.scopeId, type: 'Scope' }] },
    ],
    // A self-signed certificate exists only once Terraform has made it: only files can go in by hand.
    keyCredentials: env.certificates.flatMap((certificate) => (certificate.source !== 'file' ? [] : [{
      customKeyIdentifier: Buffer.from(certificate.thumbprint, 'hex').toString('base64'),
      displayName: certificate.subject,
      endDateTime: formatDate(certificate.notAfter),
      key: new X509Certificate(certificate.pem).raw.toString('base64'),
      keyId: env.adoption?.certificateKeyIds.get(certificate.thumbprint) ?? uuidV5(`${env.name}/certificate/${certificate.thumbprint}`),
      startDateTime: formatDate(certificate.notBefore),
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
    }])),
  };
}

/** The fields `manifestOf` writes, in its order; `id` only when the registration's object ID is known. */
const WRITTEN_FIELDS = ['id', 'appId', 'displayName', 'signInAudience', 'identifierUris', 'isFallbackPublicClient', 'api', 'spa', 'web', 'publicClient', 'requiredResourceAccess', 'keyCredentials'];

/**
 * Whether a parsed manifest is one `manifestOf` wrote: exactly its fields, in its order. A manifest
 * downloaded from Entra is the whole application object Microsoft Graph returns, with
 * `createdDateTime`, `publisherDomain`, `appRoles` and more; the marker is the shape itself, so the
 * written file stays one Entra takes as it is.
 */
export function isWrittenManifest(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const fields = Object.keys(value);
  const expected = fields[0] === 'id' ? WRITTEN_FIELDS : WRITTEN_FIELDS.slice(1);
  return fields.length === expected.length && fields.every((field, index) => field === expected[index]);
}
