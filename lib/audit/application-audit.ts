import type { Environment } from '../environment/environment';
import type { CheckName } from '../doctor/doctor-check';
import { compareWithEnvironment } from '../doctor/environment-comparison';
import { manifestChecks } from '../doctor/manifest-checks';
import { ACCESS_AS_USER, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';
import type { AzCommands } from './az-commands';
import { clip } from '../process/problem';
import { dateOf, quoted, type AuditFinding } from './audit-finding';
import { isVerifyingCertificate, type LiveApplication, type LiveCredential } from './registration-reads';

/** What the code puts on the application, for the audit to compare Graph's answer with. */
export interface ExpectedApplication {
  readonly env: Environment;
  readonly clientId: string;
  /** Each certificate's SHA-1 thumbprint (upper-case hex) and how the environment file names it: files', and self-signed ones' read from Terraform outputs. */
  readonly certificates: ReadonlyMap<string, string>;
  readonly now: Date;
}

/**
 * The doctor's checks that compare a registration with what the Restore Portal needs and with the
 * environment: reused here as they are, so that `doctor` and `audit` say the same of the same
 * setting. Left out: the doctor's redirect URI and certificate checks, which judge a manifest on
 * its own (a Web address "should move to SPA", expiry); the audit compares those with the code below.
 */
const DOCTOR_CHECKS: ReadonlySet<CheckName> = new Set<CheckName>([
  'sign-in-audience',
  'public-client',
  'implicit-grant',
  'scope',
  'identifier-uri',
  'api-permissions',
  'token-version',
  'environment-registration',
  'environment-redirect-uris',
  'environment-scope',
]);

/** Everything on the application that the code did not put there, and everything it put there that is missing or off. */
export function auditApplication(app: LiveApplication, expected: ExpectedApplication, az: AzCommands): AuditFinding[] {
  return [
    ...doctorFindings(app, expected),
    ...clientSecrets(app, az),
    ...certificates(app, expected, az),
    ...federatedCredentials(app, az),
    ...owners(app, expected, az),
    ...redirectUris(app, az),
    ...identifierUris(app, expected, az),
    ...scopes(app),
    ...appRoles(app),
    ...apiPermissions(app, expected, az),
  ];
}

function doctorFindings(app: LiveApplication, { env, now }: ExpectedApplication): AuditFinding[] {
  // The doctor's adoption checks judge a registration before it is imported (is the pre-authorization
  // there already?); once applied, Terraform holds what adopt named, so the registration is compared
  // as any other with what the environment describes.
  const applied: Environment = { ...env, adoption: undefined };
  const checks = [...manifestChecks(app.manifest, now, env.expiryWarningDays), ...compareWithEnvironment(app.manifest, applied)];
  return checks
    .filter((check) => DOCTOR_CHECKS.has(check.check))
    .flatMap((check) =>
      check.findings.map((finding) => ({
        kind: 'registration' as const,
        object: 'application' as const,
        message: clip(`${check.title}: ${finding.field ? `${finding.field} ` : ''}${finding.message}`, 1000),
        fix: `applying ${env.name} puts back what ${env.file} says (npm run plan -- ${env.name} shows it)`,
      })),
    );
}

function validity(credential: LiveCredential): string {
  const [start, end] = [dateOf(credential.start), dateOf(credential.end)];
  if (start && end) return `valid ${start} to ${end}`;
  return end ? `valid until ${end}` : 'no dates';
}

function clientSecrets(app: LiveApplication, az: AzCommands): AuditFinding[] {
  return app.passwordCredentials.map((secret) => ({
    kind: 'client-secret',
    object: 'application',
    message: `Certificates & secrets → Client secrets: ${quoted(secret.displayName)} (${secret.hint ? `value starting ${secret.hint}..., ` : ''}${validity(secret)}): the code adds no client secret, and whoever holds it signs in as the Restore Portal's application`,
    id: secret.keyId,
    added: dateOf(secret.start),
    fix: 'remove it', command: az.removeApplicationCredential(app.clientId, secret.keyId, false),
  }));
}

function certificates(app: LiveApplication, { env, certificates: wanted }: ExpectedApplication, az: AzCommands): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const found = new Set<string>();
  // A certificate Graph shows claims its thumbprint before one that only says it in customKeyIdentifier,
  // whatever the order: else a key listed first under the environment's thumbprint would pass, and the
  // environment's own certificate be the one reported (with the command that removes it).
  const ordered = [...app.keyCredentials].sort((a, b) => Number(b.thumbprintOfCertificate === true) - Number(a.thumbprintOfCertificate === true));
  const matched = new Set<LiveCredential>();
  for (const credential of ordered) {
    const thumbprint = credential.thumbprint;
    if (thumbprint !== undefined && wanted.has(thumbprint) && !found.has(thumbprint)) {
      found.add(thumbprint);
      matched.add(credential);
    }
  }
  for (const credential of app.keyCredentials) {
    if (matched.has(credential)) continue;
    const thumbprint = credential.thumbprint;
    const which =
      !isVerifyingCertificate(credential)
        ? `a key credential of type ${credential.type ?? 'none'}, usage ${credential.usage ?? 'none'},`
        : thumbprint === undefined
          ? 'a certificate without a thumbprint'
          : `${thumbprint}${found.has(thumbprint) ? ' (a second time)' : ''}`;
    findings.push({
      kind: 'certificate',
      object: 'application',
      message: `Certificates & secrets → Certificates: ${which} ${quoted(credential.displayName)} (${validity(credential)}): not a certificate of ${env.file}, and whoever holds its private key signs in as the Restore Portal's application`,
      id: credential.keyId,
      added: dateOf(credential.start),
      fix: `if VB365 uses it, add it to certificates in ${env.file}; otherwise remove it`, command: az.removeApplicationCredential(app.clientId, credential.keyId, true),
    });
  }
  for (const [thumbprint, label] of wanted) {
    if (found.has(thumbprint)) continue;
    findings.push({
      kind: 'certificate-missing',
      object: 'application',
      message: `Certificates & secrets → Certificates: ${label} (thumbprint ${thumbprint}) of ${env.file} is missing: VB365 configured with it cannot sign in`,
      fix: `applying ${env.name} adds it`,
    });
  }
  return findings;
}

function federatedCredentials(app: LiveApplication, az: AzCommands): AuditFinding[] {
  return app.federatedCredentials.map((credential) => ({
    kind: 'federated-credential',
    object: 'application',
    message: `Certificates & secrets → Federated credentials: ${quoted(credential.name)} (issuer ${credential.issuer ?? 'none'}, subject ${credential.subject ?? 'none'}): the code adds none, and whoever gets a token of that issuer for that subject signs in as the Restore Portal's application`,
    id: credential.id,
    fix: 'remove it', command: az.removeFederatedCredential(app.clientId, credential.id),
  }));
}

function owners(app: LiveApplication, { env }: ExpectedApplication, az: AzCommands): AuditFinding[] {
  const deployer = env.deployingIdentityObjectId;
  const wanted = new Set([...env.owners, ...(deployer ? [deployer] : [])]);
  const findings: AuditFinding[] = app.owners
    .filter((owner) => !wanted.has(owner.id))
    .map((owner) => ({
      kind: 'owner',
      object: 'application',
      message: `Owners: ${owner.kind} ${quoted(owner.displayName)}${owner.detail ? ` (${owner.detail})` : ''}, object ID ${owner.id}: not in owners${deployer ? '' : ' or deployingIdentityObjectId'} of ${env.file}; an owner can add credentials and redirect URIs to the application`,
      id: owner.id,
      fix:
        `if it is meant, add it to owners in ${env.file}` +
        (!deployer && owner.kind === 'service principal' ? ' (or, if it is the identity that deploys, set deployingIdentityObjectId to it)' : '') +
        '; otherwise remove it',
      command: az.removeApplicationOwner(app.clientId, owner.id),
    }));
  if (deployer && !app.owners.some((owner) => owner.id === deployer)) {
    findings.push({
      kind: 'owner-missing',
      object: 'application',
      message: `Owners: the deploying identity ${deployer} (deployingIdentityObjectId of ${env.file}) is not an owner: with Application.ReadWrite.OwnedBy it can no longer apply ${env.name}`,
      id: deployer,
      fix: 'make it an owner again', command: az.addApplicationOwner(app.clientId, deployer),
    });
  }
  return findings;
}

const PLATFORMS = { Web: { name: 'Web', key: 'web' }, InstalledClient: { name: 'Mobile and desktop applications', key: 'publicClient' } } as const;

/**
 * Redirect URIs on the Web and Mobile and desktop platforms: the code registers the portal's addresses
 * as SPA only (the doctor's comparison covers SPA), so every address there is a finding, and each
 * finding's command empties the platform. A command that kept the others found would put back, when
 * run after another finding's, the address that one removed.
 */
function redirectUris(app: LiveApplication, az: AzCommands): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const [type, platform] of Object.entries(PLATFORMS) as [keyof typeof PLATFORMS, (typeof PLATFORMS)[keyof typeof PLATFORMS]][]) {
    const uris = app.manifest.redirectUris.filter((r) => r.type === type).map((r) => String(r.value));
    for (const uri of uris) {
      findings.push({
        kind: 'redirect-uri',
        object: 'application',
        message: `Authentication → ${platform.name}: redirect URI ${clip(uri, 200)}: the code registers the portal's addresses as single-page application only, and Entra sends sign-in codes and tokens to this one`,
        fix: uris.length === 1 ? 'remove it' : `remove it and the ${uris.length - 1} other(s) found under ${platform.name} (the code registers none there)`,
        command: az.clearRedirectUris(app.objectId, platform.key),
      });
    }
  }
  return findings;
}

/** Identifier URIs besides api://<client id>; when that one is missing, the doctor's check says so and names the others. */
function identifierUris(app: LiveApplication, { clientId }: ExpectedApplication, az: AzCommands): AuditFinding[] {
  const expected = `api://${clientId}`;
  const uris = app.manifest.identifierUris.map((u) => String(u.value));
  if (!uris.includes(expected)) return [];
  return uris
    .filter((uri) => uri !== expected)
    .map((uri) => ({
      kind: 'identifier-uri',
      object: 'application',
      message: `Expose an API → Application ID URI: ${clip(uri, 200)} besides ${expected}: the code sets only ${expected}`,
      fix: 'remove it', command: az.setIdentifierUris(clientId, [expected]),
    }));
}

function scopes(app: LiveApplication): AuditFinding[] {
  return app.manifest.scopes
    .filter((scope) => scope.value !== ACCESS_AS_USER)
    .map((scope) => ({
      kind: 'scope',
      object: 'application',
      message: `Expose an API → scope ${quoted(typeof scope.value === 'string' ? scope.value : undefined)} (${scope.isEnabled === true ? 'enabled' : 'disabled'}, ID ${clip(String(scope.id), 60)}): the code exposes ${ACCESS_AS_USER} only`,
      id: typeof scope.id === 'string' ? clip(scope.id, 60) : undefined,
      fix: 'remove it: Expose an API → the scope → Disable, Save, then Delete (Entra deletes only a disabled scope)',
    }));
}

function appRoles(app: LiveApplication): AuditFinding[] {
  return app.appRoles.map((role) => ({
    kind: 'app-role',
    object: 'application',
    message: `App roles: ${quoted(role.displayName)} (value ${role.value ?? 'none'}, ${role.isEnabled ? 'enabled' : 'disabled'}, ID ${role.id}): the code defines no app role`,
    id: role.id,
    fix: 'remove it: App roles → the role → clear "Do you want to enable this app role?", Apply, then Delete (Entra deletes only a disabled role)',
  }));
}

/** Permissions requested beyond Microsoft Graph User.Read and its own access_as_user; the doctor's check says when those two are missing or off. */
function apiPermissions(app: LiveApplication, { env, clientId }: ExpectedApplication, az: AzCommands): AuditFinding[] {
  const allowed = new Map([
    [MICROSOFT_GRAPH_CLIENT_ID, { name: 'Microsoft Graph', ids: [GRAPH_USER_READ_SCOPE_ID] }],
    [clientId, { name: 'this application (its own API)', ids: [env.scopeId] }],
  ]);
  const findings: AuditFinding[] = [];
  for (const resource of app.manifest.requiredResourceAccess) {
    const resourceAppId = clip(String(resource.resourceAppId).toLowerCase(), 60);
    const known = allowed.get(resourceAppId);
    for (const access of resource.access) {
      const id = clip(String(access.id).toLowerCase(), 60);
      if (known?.ids.includes(id)) continue;
      const kind = access.type === 'Role' ? 'application' : 'delegated';
      findings.push({
        kind: 'api-permission',
        object: 'application',
        message: `API permissions: ${kind} permission ${id} of ${known?.name ?? `the API ${resourceAppId}`}: the code requests Microsoft Graph User.Read and its own ${ACCESS_AS_USER} only`,
        id,
        fix: 'remove it', command: az.removeApiPermission(app.clientId, resourceAppId, id),
      });
    }
  }
  return findings;
}
