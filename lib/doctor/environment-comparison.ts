import type { Environment } from '../environment/environment';
import { describe } from '../input/field-reader';
import { ACCESS_AS_USER } from '../construct/well-known';
import { accessAsUserScopes, check, sameGuid, spaRedirectUrisPath, type CheckResult } from './doctor-check';
import type { ApplicationManifest } from './manifest';

/** Every difference between a registration and the one an environment describes, worded as what deploying would change. */
export function compareWithEnvironment(m: ApplicationManifest, env: Environment): CheckResult[] {
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
    for (const uri of env.redirectUris) {
      if (!registered.includes(uri)) problem(spaRedirectUrisPath(m), `lacks "${uri}" (in redirectUris of ${env.file}): deploying adds it`);
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
