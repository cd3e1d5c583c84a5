import { formatDate } from '../certificates/certificate';
import { describeDaysLeft, expiryOf } from '../certificates/certificate-expiry';
import { describe, isGuid } from '../input/field-reader';
import { redirectUriProblem } from '../construct/redirect-uri';
import { ACCESS_AS_USER, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';
import { accessAsUserScopes, check, sameGuid, spaRedirectUrisPath, type CheckResult } from './doctor-check';
import type { ApplicationManifest, ManifestKeyCredential } from './manifest';

/**
 * Checks a manifest, point by point, against what a working Restore Portal needs: the registration
 * Veeam's setup makes, whatever environment (if any) describes it.
 */
export function manifestChecks(m: ApplicationManifest, now: Date, warningDays: number): CheckResult[] {
  return [
    checkAudience(m),
    checkPublicClient(m),
    checkImplicitGrant(m),
    checkScope(m),
    checkIdentifierUri(m),
    checkRedirectUris(m),
    checkApiPermissions(m),
    checkCertificates(m, now, warningDays),
    checkTokenVersion(m),
  ];
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
        spaRedirectUrisPath(m),
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

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
