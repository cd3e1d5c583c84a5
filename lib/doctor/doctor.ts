import { formatDate } from '../certificates/certificate';
import { DEFAULT_EXPIRY_WARNING_DAYS, describeDaysLeft, expiryOf } from '../certificates/certificate-expiry';
import type { Environment } from '../environment/environment';
import { describe, isGuid } from '../environment/field-reader';
import type { ApplicationManifest, ManifestFormat, ManifestKeyCredential, ManifestScope } from './manifest';
import { redirectUriProblem } from '../construct/redirect-uri';
import { ACCESS_AS_USER, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';

/** Days before a certificate's expiry from which the doctor warns. */

/** A problem stops the Restore Portal from working (or a deploy from going through); a warning does not, yet. */
export type Severity = 'problem' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Where in the manifest, in that manifest's own field names (`replyUrlsWithType[0].url`); empty for the whole. */
  readonly field: string;
  /** What is wrong and how to fix it, in Entra admin center terms. */
  readonly message: string;
}

/** Stable names of the checks, for `--format json`. */
export type CheckName =
  | 'sign-in-audience'
  | 'public-client'
  | 'implicit-grant'
  | 'scope'
  | 'identifier-uri'
  | 'redirect-uris'
  | 'api-permissions'
  | 'certificates'
  | 'token-version'
  | 'environment-registration'
  | 'environment-redirect-uris'
  | 'environment-certificates'
  | 'environment-scope';

export interface CheckResult {
  readonly check: CheckName;
  readonly title: string;
  /** What was found when nothing is wrong, e.g. "multitenant (AzureADMultipleOrgs)". */
  readonly summary: string;
  readonly findings: readonly Finding[];
}

export interface DoctorReport {
  /** The manifest file, as given on the command line. */
  readonly manifest: string;
  readonly format: ManifestFormat;
  readonly application: { readonly displayName?: string; readonly clientId?: string; readonly objectId?: string };
  /** The environment file compared against, when one was given. */
  readonly environment?: string;
  readonly checks: readonly CheckResult[];
}

export interface DoctorOptions {
  /** The time certificates must be valid at. */
  readonly now: Date;
  /** Warn about certificates expiring within this many days. @default the environment's expiryWarningDays, else DEFAULT_EXPIRY_WARNING_DAYS */
  readonly warningDays?: number;
  /** Also report every difference from the registration this environment describes. */
  readonly environment?: Environment;
}


/** Checks a manifest, point by point, against what a working Restore Portal needs. */
export function diagnose(manifest: ApplicationManifest, file: string, options: DoctorOptions): DoctorReport {
  const checks: CheckResult[] = [
    checkAudience(manifest),
    checkPublicClient(manifest),
    checkImplicitGrant(manifest),
    checkScope(manifest),
    checkIdentifierUri(manifest),
    checkRedirectUris(manifest),
    checkApiPermissions(manifest),
    checkCertificates(manifest, options.now, options.warningDays ?? options.environment?.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS),
    checkTokenVersion(manifest),
  ];
  const env = options.environment;
  if (env) checks.push(...compareWithEnvironment(manifest, env));
  return {
    manifest: file,
    format: manifest.format,
    application: {
      displayName: stringOrUndefined(manifest.displayName.value),
      clientId: stringOrUndefined(manifest.clientId.value),
      objectId: stringOrUndefined(manifest.objectId.value),
    },
    environment: env?.file,
    checks,
  };
}

/** 0 when nothing is wrong (warnings allowed), 2 when something is. */
export function doctorExitCode(report: DoctorReport): 0 | 2 {
  return countFindings(report).problems > 0 ? 2 : 0;
}

export function countFindings(report: DoctorReport): { problems: number; warnings: number } {
  const all = report.checks.flatMap((c) => c.findings);
  return { problems: all.filter((f) => f.severity === 'problem').length, warnings: all.filter((f) => f.severity === 'warning').length };
}

/** Collects a check's findings; `malformed` lists under the given prefixes are problems of this check. */
function check(
  name: CheckName,
  title: string,
  manifest: ApplicationManifest,
  prefixes: readonly string[],
  body: (problem: (field: string, message: string) => void, warning: (field: string, message: string) => void) => string,
): CheckResult {
  const findings: Finding[] = [];
  for (const entry of manifest.malformed) {
    if (prefixes.some((p) => entry.path.startsWith(p))) {
      findings.push({ severity: 'problem', field: entry.path, message: `must be a list; got ${describe(entry.value)}` });
    }
  }
  const summary = body(
    (field, message) => findings.push({ severity: 'problem', field, message }),
    (field, message) => findings.push({ severity: 'warning', field, message }),
  );
  return { check: name, title, summary, findings };
}

function checkAudience(m: ApplicationManifest): CheckResult {
  return check('sign-in-audience', 'Supported account types', m, [], (problem) => {
    const { path, value } = m.signInAudience;
    if (value !== 'AzureADMultipleOrgs') {
      problem(
        path,
        `is ${describe(value)}; the Restore Portal signs in users of any organization: choose "Accounts in any organizational directory (Multitenant)" (AzureADMultipleOrgs)`,
      );
    }
    return 'multitenant (AzureADMultipleOrgs)';
  });
}

function checkPublicClient(m: ApplicationManifest): CheckResult {
  return check('public-client', 'Public client flows', m, [], (problem) => {
    const { path, value } = m.fallbackPublicClient;
    if (value !== true) {
      problem(
        path,
        `is ${describe(value)}; restore operators sign in with the device code flow, which needs Authentication > Advanced settings > "Allow public client flows" set to Yes`,
      );
    }
    return 'enabled (device code sign-in of restore operators)';
  });
}

function checkImplicitGrant(m: ApplicationManifest): CheckResult {
  return check('implicit-grant', 'Implicit grant', m, [], (problem) => {
    for (const [flag, token] of [
      [m.implicitAccessToken, 'access'],
      [m.implicitIdToken, 'ID'],
    ] as const) {
      if (flag.value === true) {
        problem(flag.path, `is true; the Restore Portal does not use the implicit flow: clear Authentication > Implicit grant > "${token} tokens"`);
      } else if (flag.value !== false && flag.value !== null && flag.value !== undefined) {
        problem(flag.path, `must be false; got ${describe(flag.value)}`);
      }
    }
    return 'access and ID token issuance off';
  });
}

function accessAsUserScopes(m: ApplicationManifest): ManifestScope[] {
  return m.scopes.filter((s) => s.value === ACCESS_AS_USER);
}

function scopesPath(m: ApplicationManifest): string {
  return m.format === 'microsoft-graph' ? 'api.oauth2PermissionScopes' : 'oauth2Permissions';
}

function checkScope(m: ApplicationManifest): CheckResult {
  return check('scope', `${ACCESS_AS_USER} scope`, m, [scopesPath(m)], (problem) => {
    const scopes = accessAsUserScopes(m);
    if (scopes.length === 0) {
      problem(scopesPath(m), `has no scope "${ACCESS_AS_USER}": Expose an API > Add a scope, named ${ACCESS_AS_USER}, "Admins only", enabled`);
      return '';
    }
    if (scopes.length > 1) problem(scopesPath(m), `has ${scopes.length} scopes named "${ACCESS_AS_USER}"; keep one`);
    const scope = scopes[0];
    if (!isGuid(scope.id)) problem(`${scope.path}.id`, `must be a GUID; got ${describe(scope.id)}`);
    if (scope.isEnabled !== true) problem(`${scope.path}.isEnabled`, `is ${describe(scope.isEnabled)}; the scope must be enabled (State: Enabled)`);
    if (scope.type !== 'Admin') {
      problem(`${scope.path}.type`, `is ${describe(scope.type)}; Veeam's setup makes it "Admin" ("Who can consent: Admins only")`);
    }
    return `enabled, type Admin, ID ${String(scope.id)}`;
  });
}

function checkIdentifierUri(m: ApplicationManifest): CheckResult {
  return check('identifier-uri', 'Application ID URI', m, ['identifierUris'], (problem) => {
    if (!isGuid(m.clientId.value)) {
      problem(m.clientId.path, `must be the Application (client) ID, a GUID; got ${describe(m.clientId.value)} (an anonymized manifest?)`);
    }
    const expected = `api://${String(m.clientId.value)}`;
    const uris = m.identifierUris.map((u) => u.value);
    if (uris.includes(expected)) return expected;
    const slashed = m.identifierUris.find((u) => u.value === `${expected}/`);
    if (slashed) {
      problem(slashed.path, `is "${expected}/"; remove the trailing slash: the Restore Portal requests tokens for "${expected}"`);
    } else if (uris.length === 0) {
      problem('identifierUris', `is empty; Expose an API > Application ID URI > Add, and accept the proposed "${expected}"`);
    } else {
      problem('identifierUris', `lists ${uris.map((u) => describe(u)).join(', ')} but not "${expected}", which the Restore Portal requests tokens for`);
    }
    return expected;
  });
}

function redirectPrefixes(m: ApplicationManifest): string[] {
  return m.format === 'microsoft-graph' ? ['spa.redirectUris', 'web.redirectUris', 'publicClient.redirectUris'] : ['replyUrlsWithType'];
}

function checkRedirectUris(m: ApplicationManifest): CheckResult {
  return check('redirect-uris', 'SPA redirect URIs', m, redirectPrefixes(m), (problem) => {
    const valid: string[] = [];
    for (const entry of m.redirectUris) {
      const { path, value, type } = entry;
      if (typeof type !== 'string') {
        problem(path.replace(/\.url$/, '.type'), `is ${describe(type.unknown)}; the Restore Portal's addresses are of type "Spa"`);
        continue;
      }
      if (value === '') {
        problem(path, 'is an empty redirect URI (""); remove it under Authentication');
        continue;
      }
      const invalid = redirectUriProblem(value);
      if (invalid) {
        problem(path, invalid);
        continue;
      }
      if (type !== 'Spa') {
        const platform = type === 'Web' ? 'Web' : 'Mobile and desktop applications';
        problem(
          path,
          `"${value}" is registered under ${platform}; the Restore Portal is a single-page application (sign-in fails with AADSTS9002326): move it to Authentication > Single-page application`,
        );
        continue;
      }
      valid.push(value as string);
    }
    if (!m.redirectUris.some((r) => r.type === 'Spa' && r.value !== '')) {
      problem(
        m.format === 'microsoft-graph' ? 'spa.redirectUris' : 'replyUrlsWithType',
        'has no single-page application redirect URI: add the Restore Portal\'s address (e.g. https://restore.example.com:4443) under Authentication > Single-page application',
      );
    }
    return valid.join(', ');
  });
}

function checkApiPermissions(m: ApplicationManifest): CheckResult {
  return check('api-permissions', 'API permissions', m, ['requiredResourceAccess'], (problem) => {
    const graph = m.requiredResourceAccess.find((r) => sameGuid(r.resourceAppId, MICROSOFT_GRAPH_CLIENT_ID));
    const userRead = graph?.access.find((a) => sameGuid(a.id, GRAPH_USER_READ_SCOPE_ID));
    if (!graph) {
      problem('requiredResourceAccess', 'does not request Microsoft Graph: API permissions > Add a permission > Microsoft Graph > Delegated > User.Read');
    } else if (!userRead) {
      problem(
        `${graph.path}.resourceAccess`,
        `does not request User.Read (${GRAPH_USER_READ_SCOPE_ID}); requests ${graph.access.map((a) => describe(a.id)).join(', ') || 'nothing'}: add Microsoft Graph > Delegated > User.Read`,
      );
    } else if (userRead.type !== 'Scope') {
      problem(`${userRead.path}.type`, `is ${describe(userRead.type)}; User.Read must be a delegated permission ("Scope")`);
    }

    const clientId = m.clientId.value;
    const own = m.requiredResourceAccess.find((r) => r.resourceAppId !== undefined && r.resourceAppId === clientId);
    const scope = accessAsUserScopes(m)[0];
    if (!own) {
      problem('requiredResourceAccess', `does not request its own ${ACCESS_AS_USER}: API permissions > Add a permission > My APIs > this application > ${ACCESS_AS_USER}`);
    } else if (scope) {
      const access = own.access.find((a) => a.id === scope.id);
      if (!access) {
        problem(
          `${own.path}.resourceAccess`,
          `requests ${own.access.map((a) => describe(a.id)).join(', ') || 'nothing'} from this application, not ${ACCESS_AS_USER} (${String(scope.id)})`,
        );
      } else if (access.type !== 'Scope') {
        problem(`${access.path}.type`, `is ${describe(access.type)}; ${ACCESS_AS_USER} must be a delegated permission ("Scope")`);
      }
    }
    return `Microsoft Graph User.Read and its own ${ACCESS_AS_USER}`;
  });
}

function checkCertificates(m: ApplicationManifest, now: Date, warningDays: number): CheckResult {
  return check('certificates', 'Certificates', m, ['keyCredentials'], (problem, warning) => {
    const certificates = m.keyCredentials.filter((k) => k.type === 'AsymmetricX509Cert');
    for (const other of m.keyCredentials.filter((k) => k.type !== 'AsymmetricX509Cert')) {
      warning(`${other.path}.type`, `is ${describe(other.type)}; the Restore Portal only signs in with certificates (AsymmetricX509Cert)`);
    }
    if (certificates.length === 0) {
      problem(
        'keyCredentials',
        'holds no certificate: upload the public certificate of the Restore Portal (Certificates & secrets > Certificates > Upload certificate, the .cer exported without private key)',
      );
      return '';
    }
    const ends = certificates.map((c) => ({ credential: c, end: dateOf(c.endDate) }));
    const valid = ends.filter((e) => e.end !== undefined && e.end.getTime() > now.getTime());
    for (const { credential, end } of ends) {
      const label = describeCredential(credential);
      if (credential.usage !== 'Verify') {
        problem(`${credential.path}.usage`, `is ${describe(credential.usage)}; a certificate VB365 signs in with has usage "Verify"`);
      }
      if (credential.certificate && 'problem' in credential.certificate) {
        problem(`${credential.path}.${credential.names.key}`, credential.certificate.problem);
      } else if (credential.certificate && (credential.certificate.keyType !== 'rsa' || (credential.certificate.rsaBits ?? 0) < 2048)) {
        const { keyType, rsaBits } = credential.certificate;
        problem(`${credential.path}.${credential.names.key}`, `holds a ${keyType === 'rsa' ? `${rsaBits}-bit RSA` : keyType.toUpperCase()} key; Entra requires RSA of at least 2048 bits`);
      }
      const endField = `${credential.path}.${credential.names.endDate}`;
      if (end === undefined) {
        problem(endField, `must be a date; got ${describe(credential.endDate)}`);
        continue;
      }
      const expiry = expiryOf(end, now, warningDays);
      if (expiry.status === 'expired') {
        const report = valid.length === 0 ? problem : warning;
        report(
          endField,
          `${label} expired on ${formatDate(end)}${valid.length === 0 ? '; upload a new certificate and configure it in VB365' : '; remove it once no VB365 server uses it'}`,
        );
      } else if (expiry.status === 'expiring') {
        warning(endField, `${label} expires on ${formatDate(end)}, ${describeDaysLeft(expiry.daysLeft)}; renew it in time and upload the new one`);
      }
      const start = dateOf(credential.startDate);
      if (start && start.getTime() > now.getTime()) {
        warning(`${credential.path}.${credential.names.startDate}`, `${label} is not valid before ${formatDate(start)}`);
      }
    }
    const newest = valid.reduce<Date | undefined>((max, e) => (max && max > e.end! ? max : e.end), undefined);
    return `${certificates.length} certificate(s)${newest ? `, valid until ${formatDate(newest)}` : ''}`;
  });
}

function describeCredential(credential: ManifestKeyCredential): string {
  return credential.thumbprint ? `the certificate ${credential.thumbprint}` : 'the certificate';
}

function checkTokenVersion(m: ApplicationManifest): CheckResult {
  return check('token-version', 'Access token version', m, [], (problem) => {
    const { path, value } = m.accessTokenVersion;
    if (value !== null && value !== undefined && value !== 1) {
      problem(path, `is ${describe(value)}; VB365 accepts version 1 access tokens: set it to null or 1`);
    }
    return 'v1';
  });
}

/** Every difference between a registration and the one an environment describes, worded as what deploying would change. */
function compareWithEnvironment(m: ApplicationManifest, env: Environment): CheckResult[] {
  return [compareRegistration(m, env), compareRedirectUris(m, env), compareCertificates(m, env), compareScope(m, env)];
}

function compareRegistration(m: ApplicationManifest, env: Environment): CheckResult {
  return check('environment-registration', 'Same registration', m, [], (problem) => {
    const adoption = env.adoption;
    if (adoption) {
      for (const [located, expected, name] of [
        [m.objectId, adoption.applicationObjectId, 'adopt.applicationObjectId'],
        [m.clientId, adoption.clientId, 'adopt.clientId'],
      ] as const) {
        if (!sameGuid(located.value, expected)) {
          problem(located.path, `is ${describe(located.value)}, but ${env.file} has ${name} ${expected}: this manifest is of another registration`);
        }
      }
    }
    if (m.displayName.value !== env.displayName) {
      problem(
        m.displayName.path,
        `is ${describe(m.displayName.value)}, ${env.file} has displayName "${env.displayName}": deploying renames the registration (set displayName to keep its name)`,
      );
    }
    return adoption ? `adopted as ${adoption.clientId}, named "${env.displayName}"` : `named "${env.displayName}"`;
  });
}

function compareRedirectUris(m: ApplicationManifest, env: Environment): CheckResult {
  return check('environment-redirect-uris', 'Same redirect URIs', m, [], (problem) => {
    const spa = m.redirectUris.filter((r) => r.type === 'Spa' && typeof r.value === 'string' && r.value !== '');
    const registered = spa.map((r) => r.value as string);
    const where = m.format === 'microsoft-graph' ? 'spa.redirectUris' : 'replyUrlsWithType';
    for (const uri of env.redirectUris) {
      if (!registered.includes(uri)) problem(where, `lacks "${uri}" (in redirectUris of ${env.file}): deploying adds it`);
    }
    for (const entry of spa) {
      if (!env.redirectUris.includes(entry.value as string)) {
        problem(entry.path, `"${String(entry.value)}" is not in redirectUris of ${env.file}: deploying removes it (add it there if a VB365 server still uses it)`);
      }
    }
    return `${env.redirectUris.length} address(es), the same`;
  });
}

function compareCertificates(m: ApplicationManifest, env: Environment): CheckResult {
  return check('environment-certificates', 'Same certificates', m, [], (problem, warning) => {
    const credentials = m.keyCredentials.filter((k) => k.type === 'AsymmetricX509Cert');
    const keyIds = env.adoption?.certificateKeyIds;
    env.certificates.forEach((certificate, index) => {
      if (certificate.source !== 'file') {
        warning('keyCredentials', `certificates[${index}] (self-signed "${certificate.name}") is made by Terraform when deploying; compare its thumbprint (npm run certs) by hand`);
        return;
      }
      const held = credentials.find((c) => c.thumbprint === certificate.thumbprint);
      const adoptedKeyId = keyIds?.get(certificate.thumbprint);
      const name = `certificates[${index}] (${certificate.label}, thumbprint ${certificate.thumbprint})`;
      if (!held) {
        if (adoptedKeyId) {
          problem('keyCredentials', `has no key credential ${adoptedKeyId} with ${name}, which adopt.certificateKeyIds imports: the import would fail`);
        } else {
          problem('keyCredentials', `lacks ${name}: deploying adds it`);
        }
        return;
      }
      if (!keyIds) return;
      if (adoptedKeyId === undefined) {
        problem(
          `${held.path}.keyId`,
          `holds ${name} already: add "${certificate.thumbprint}": "${String(held.keyId)}" to adopt.certificateKeyIds, or deploying adds it a second time`,
        );
      } else if (!sameGuid(held.keyId, adoptedKeyId)) {
        problem(`${held.path}.keyId`, `is ${describe(held.keyId)} for ${name}, but adopt.certificateKeyIds gives ${adoptedKeyId}`);
      }
    });
    for (const credential of credentials) {
      if (!credential.thumbprint) {
        warning(`${credential.path}.customKeyIdentifier`, 'does not say which certificate this is (no thumbprint); compare it by hand');
      } else if (!env.certificates.some((c) => c.source === 'file' && c.thumbprint === credential.thumbprint)) {
        warning(
          credential.path,
          `holds the certificate ${credential.thumbprint}, which ${env.file} does not list: deploying leaves it alone; remove it by hand once no VB365 server uses it`,
        );
      }
    }
    return `${env.certificates.length} certificate(s), the same`;
  });
}

function compareScope(m: ApplicationManifest, env: Environment): CheckResult {
  return check('environment-scope', `Same ${ACCESS_AS_USER} scope`, m, [], (problem, warning) => {
    const scope = accessAsUserScopes(m)[0];
    const clientId = m.clientId.value;
    if (scope) {
      if (!sameGuid(scope.id, env.scopeId)) {
        const source = env.adoption ? 'adopt.scopeId' : 'scope ID';
        const hint = env.adoption ? '' : '; to manage this registration, adopt it (adopt.scopeId keeps its scope)';
        problem(`${scope.path}.id`, `is ${describe(scope.id)}, ${env.file} has ${source} ${env.scopeId}${hint}`);
      }
      for (const key of ['adminConsentDisplayName', 'adminConsentDescription', 'userConsentDisplayName', 'userConsentDescription'] as const) {
        if (scope[key] !== env.consentTexts[key]) {
          problem(`${scope.path}.${key}`, `is ${describe(scope[key])}; deploying sets "${env.consentTexts[key]}" (consentTexts.${key})`);
        }
      }
    }
    const preAuthorization = m.preAuthorizations.find((p) => p.appId !== undefined && p.appId === clientId);
    const preAuthorized = Array.isArray(preAuthorization?.permissionIds) && preAuthorization.permissionIds.includes(scope?.id);
    const field = m.format === 'microsoft-graph' ? 'api.preAuthorizedApplications' : 'preAuthorizedApplications';
    if (env.adoption?.preAuthorized && !preAuthorization) {
      problem(field, `does not list this application, but ${env.file} has adopt.preAuthorized: true: the import would fail; set it to false`);
    } else if (env.adoption && !env.adoption.preAuthorized && preAuthorization) {
      problem(preAuthorization.path, `pre-authorizes this application already: set adopt.preAuthorized: true in ${env.file}, or deploying fails to add it again`);
    } else if (!preAuthorized) {
      warning(field, `does not pre-authorize this application for ${ACCESS_AS_USER}: deploying adds it`);
    }
    return `ID ${env.scopeId}, consent texts and pre-authorization the same`;
  });
}

function sameGuid(value: unknown, expected: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === expected.toLowerCase();
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
