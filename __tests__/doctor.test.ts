import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorsFor } from '../lib/process/command-line';
import { diagnose, doctorExitCode } from '../lib/doctor/doctor';
import { formatDoctorReport } from '../lib/doctor/doctor-report';
import { manifestOf, readManifestFile } from '../lib/doctor/manifest';
import { environment, fileCertificates, FIXTURES, NOW } from './support/builders';
import { ARTICLE_MANIFEST, azureAdGraphManifest, CLIENT_ID, doctor, findingsOf, graphManifest, OBJECT_ID } from './support/manifests';

const plain = colorsFor({ isTTY: false });
const articleReport = () => diagnose(readManifestFile(ARTICLE_MANIFEST), 'appendix-a.json', { now: NOW });

/** A working Microsoft Graph manifest changed by `edit`, and the doctor's findings on it. */
function findingsAfter(edit: (manifest: Record<string, any>) => void, options = {}): string[] {
  const manifest = graphManifest();
  edit(manifest);
  return findingsOf(doctor(manifest, options));
}

function aadFindingsAfter(edit: (manifest: Record<string, any>) => void): string[] {
  const manifest = azureAdGraphManifest();
  edit(manifest);
  return findingsOf(doctor(manifest));
}

describe("the doctor on the article's Appendix A manifest", () => {
  const findings = findingsOf(articleReport());

  test('flags the empty SPA redirect URI', () => {
    expect(findings).toContain('problem redirect-uris replyUrlsWithType[0].url: is an empty redirect URI (""); remove it under Authentication');
  });

  test('flags the anonymized IDs it cannot check, and nothing the article set up right', () => {
    expect(findings).toEqual([
      'problem scope oauth2Permissions[0].id: must be a GUID; got "ANYTHING"',
      'problem identifier-uri appId: must be the Application (client) ID, a GUID; got "ANYTHING" (an anonymized manifest?)',
      'problem identifier-uri identifierUris: is empty; Expose an API > Application ID URI > Add, and accept the proposed "api://ANYTHING"',
      'problem redirect-uris replyUrlsWithType[0].url: is an empty redirect URI (""); remove it under Authentication',
      `problem api-permissions requiredResourceAccess[1].resourceAccess: does not request User.Read (e1fe6dd8-ba31-4d61-89e7-88639da4683d); requests "ANYTHING": add Microsoft Graph > Delegated > User.Read`,
      'problem certificates keyCredentials[0].value: is not a base64 DER X.509 certificate',
    ]);
    expect(doctorExitCode(articleReport())).toBe(2);
  });
});

describe('the doctor on a working registration', () => {
  test('finds nothing wrong in either format', () => {
    expect(findingsOf(doctor(graphManifest()))).toEqual([]);
    expect(findingsOf(doctor(azureAdGraphManifest()))).toEqual([]);
    expect(doctorExitCode(doctor(graphManifest()))).toBe(0);
  });

  test('finds nothing else wrong in the manifest npm run manifest writes, nor any difference from its environment, but never calls it healthy', () => {
    const env = environment({ redirectUris: ['https://restore.example.com:4443', 'https://restore2.example.com:4443'] });
    const written = JSON.parse(JSON.stringify(manifestOf(env, { clientId: CLIENT_ID })));
    const report = doctor(written, { environment: env });
    expect(findingsOf(report)).toEqual([
      "problem manifest-source : is the manifest npm run manifest writes from an environment file, not one downloaded from Entra: it shows what the code describes, not what the registration is. Download the registration's manifest (Entra admin center > App registrations > the registration > Manifest > Download) and check that",
    ]);
    expect(doctorExitCode(report)).toBe(2);
    // Entra's download of the same registration is the whole application object: no longer the written shape.
    expect(findingsOf(doctor({ ...written, createdDateTime: '2026-03-02T09:14:27Z' }, { environment: env }))).toEqual([]);
  });
});

describe('the doctor reports what a Restore Portal registration lacks or has wrong', () => {
  test('a single-tenant audience', () => {
    expect(findingsAfter((m) => (m.signInAudience = 'AzureADMyOrg'))).toEqual([
      'problem sign-in-audience signInAudience: is "AzureADMyOrg"; the Restore Portal signs in users of any organization: choose "Accounts in any organizational directory (Multitenant)" (AzureADMultipleOrgs)',
    ]);
  });

  test('public client flows turned off', () => {
    expect(aadFindingsAfter((m) => (m.allowPublicClient = false))).toEqual([
      'problem public-client allowPublicClient: is boolean false; restore operators sign in with the device code flow, which needs Authentication > Advanced settings > "Allow public client flows" set to Yes',
    ]);
  });

  test('implicit flows turned on', () => {
    expect(findingsAfter((m) => (m.web.implicitGrantSettings.enableIdTokenIssuance = true))).toEqual([
      'problem implicit-grant web.implicitGrantSettings.enableIdTokenIssuance: is true; the Restore Portal does not use the implicit flow: clear Authentication > Implicit grant > "ID tokens"',
    ]);
    expect(aadFindingsAfter((m) => (m.oauth2AllowImplicitFlow = true))[0]).toMatch(/^problem implicit-grant oauth2AllowImplicitFlow: is true;/);
  });

  test('an access_as_user scope that is missing, disabled or not Admin', () => {
    expect(findingsAfter((m) => (m.api.oauth2PermissionScopes = []))).toEqual([
      'problem scope api.oauth2PermissionScopes: has no scope "access_as_user": Expose an API > Add a scope, named access_as_user, "Admins only", enabled',
    ]);
    expect(
      findingsAfter((m) => {
        m.api.oauth2PermissionScopes[0].isEnabled = false;
        m.api.oauth2PermissionScopes[0].type = 'User';
      }),
    ).toEqual([
      'problem scope api.oauth2PermissionScopes[0].isEnabled: is boolean false; the scope must be enabled (State: Enabled)',
      'problem scope api.oauth2PermissionScopes[0].type: is "User"; Veeam\'s setup makes it "Admin" ("Who can consent: Admins only")',
    ]);
  });

  test('an identifier URI that is missing, has a trailing slash or is another one', () => {
    expect(findingsAfter((m) => (m.identifierUris = [`api://${CLIENT_ID}/`]))).toEqual([
      `problem identifier-uri identifierUris[0]: is "api://${CLIENT_ID}/"; remove the trailing slash: the Restore Portal requests tokens for "api://${CLIENT_ID}"`,
    ]);
    expect(findingsAfter((m) => (m.identifierUris = ['https://contoso.com/restore']))).toEqual([
      `problem identifier-uri identifierUris: lists "https://contoso.com/restore" but not "api://${CLIENT_ID}", which the Restore Portal requests tokens for`,
    ]);
  });

  test('SPA redirect URIs that are missing, empty, invalid, or registered as another platform', () => {
    expect(findingsAfter((m) => (m.spa.redirectUris = []))).toEqual([
      "problem redirect-uris spa.redirectUris: has no single-page application redirect URI: add the Restore Portal's address (e.g. https://restore.example.com:4443) under Authentication > Single-page application",
    ]);
    expect(findingsAfter((m) => m.spa.redirectUris.push('http://restore.example.com:4443', null))).toEqual([
      'problem redirect-uris spa.redirectUris[1]: must use https (Entra allows http only for http://localhost); got "http://restore.example.com:4443"',
      'problem redirect-uris spa.redirectUris[2]: must be a non-empty string URL; got null',
    ]);
    expect(findingsAfter((m) => m.web.redirectUris.push('https://restore2.example.com:4443'))).toEqual([
      'problem redirect-uris web.redirectUris[0]: "https://restore2.example.com:4443" is registered under Web; the Restore Portal is a single-page application (sign-in fails with AADSTS9002326): move it to Authentication > Single-page application',
    ]);
    expect(aadFindingsAfter((m) => (m.replyUrlsWithType[0].type = 'Spaa'))).toEqual([
      'problem redirect-uris replyUrlsWithType[0].type: is "Spaa"; the Restore Portal\'s addresses are of type "Spa"',
    ]);
  });

  test('a redirect URI list that is not a list', () => {
    expect(findingsAfter((m) => (m.spa.redirectUris = 'https://restore.example.com:4443'))).toContain(
      'problem redirect-uris spa.redirectUris: must be a list; got "https://restore.example.com:4443"',
    );
  });

  test('missing access to Graph User.Read or to its own scope', () => {
    expect(findingsAfter((m) => (m.requiredResourceAccess = [m.requiredResourceAccess[1]]))).toEqual([
      'problem api-permissions requiredResourceAccess: does not request Microsoft Graph: API permissions > Add a permission > Microsoft Graph > Delegated > User.Read',
    ]);
    expect(findingsAfter((m) => (m.requiredResourceAccess = [m.requiredResourceAccess[0]]))).toEqual([
      'problem api-permissions requiredResourceAccess: does not request its own access_as_user: API permissions > Add a permission > My APIs > this application > access_as_user',
    ]);
    expect(findingsAfter((m) => (m.requiredResourceAccess[0].resourceAccess[0].type = 'Role'))).toEqual([
      'problem api-permissions requiredResourceAccess[0].resourceAccess[0].type: is "Role"; User.Read must be a delegated permission ("Scope")',
    ]);
  });

  test('no certificate, or one that Entra or VB365 cannot use', () => {
    expect(findingsAfter((m) => (m.keyCredentials = []))[0]).toMatch(/^problem certificates keyCredentials: holds no certificate: upload the public certificate/);
    expect(findingsAfter((m) => (m.keyCredentials[0].usage = 'Sign'))).toEqual([
      'problem certificates keyCredentials[0].usage: is "Sign"; a certificate VB365 signs in with has usage "Verify"',
    ]);
    const weak = readFileSync(join(FIXTURES, 'certs', 'rsa-1024.cer'));
    expect(findingsAfter((m) => (m.keyCredentials[0].key = weak.toString('base64')))).toEqual([
      'problem certificates keyCredentials[0].key: holds a 1024-bit RSA key; Entra requires RSA of at least 2048 bits',
    ]);
  });

  test('an expired certificate: a problem when it is the only one, a warning next to a valid one', () => {
    const expire = (m: Record<string, any>) => (m.keyCredentials[0].endDateTime = '2026-12-01T00:00:00Z');
    const thumbprint = fileCertificates(environment())[0].thumbprint;
    expect(findingsAfter(expire)).toEqual([
      `problem certificates keyCredentials[0].endDateTime: the certificate ${thumbprint} expired on 2026-12-01T00:00:00Z; upload a new certificate and configure it in VB365`,
    ]);
    const second = graphManifest(environment({ certificates: [{ source: 'file', path: 'certs/second.cer' }] })).keyCredentials[0];
    expect(findingsAfter((m) => (expire(m), m.keyCredentials.push(second)))).toEqual([
      `warning certificates keyCredentials[0].endDateTime: the certificate ${thumbprint} expired on 2026-12-01T00:00:00Z; remove it once no VB365 server uses it`,
    ]);
  });

  test('a certificate expiring within the warning window, 30 days unless told otherwise', () => {
    const soon = (m: Record<string, any>) => (m.keyCredentials[0].endDateTime = '2027-01-21T00:00:00Z');
    const thumbprint = fileCertificates(environment())[0].thumbprint;
    expect(findingsAfter(soon)).toEqual([
      `warning certificates keyCredentials[0].endDateTime: the certificate ${thumbprint} expires on 2027-01-21T00:00:00Z, in 20 days; renew it in time and upload the new one`,
    ]);
    expect(findingsAfter(soon, { warningDays: 14 })).toEqual([]);
    const certificateFindings = (options: object) =>
      findingsAfter(soon, options).filter((finding) => finding.includes('endDateTime'));
    expect(certificateFindings({ environment: environment({ expiryWarningDays: 14 }) })).toEqual([]);
    expect(certificateFindings({ environment: environment({ expiryWarningDays: 60 }) })).toHaveLength(1);
    const manifest = graphManifest();
    soon(manifest);
    expect(doctorExitCode(doctor(manifest))).toBe(0);
  });

  test('access tokens of version 2', () => {
    expect(aadFindingsAfter((m) => (m.accessTokenAcceptedVersion = 2))).toEqual([
      'problem token-version accessTokenAcceptedVersion: is number 2; VB365 accepts version 1 access tokens: set it to null or 1',
    ]);
  });
});

describe('the doctor compared with an environment', () => {
  const env = environment();

  test('names the redirect URIs deploying would add and remove', () => {
    const findings = findingsAfter((m) => (m.spa.redirectUris = ['https://old.example.com:4443']), { environment: env });
    expect(findings).toEqual([
      'problem environment-redirect-uris spa.redirectUris: lacks "https://restore.example.com:4443" (in redirectUris of environments/test.ts): deploying adds it',
      'problem environment-redirect-uris spa.redirectUris[0]: "https://old.example.com:4443" is not in redirectUris of environments/test.ts: deploying removes it (add it there if a VB365 server still uses it)',
    ]);
  });

  test('names certificates the registration lacks, and warns of others it holds', () => {
    const other = environment({ certificates: [{ source: 'file', path: 'certs/second.cer' }] });
    const findings = findingsOf(doctor(graphManifest(other), { environment: env }));
    const [mine, theirs] = [fileCertificates(env)[0].thumbprint, fileCertificates(other)[0].thumbprint];
    expect(findings).toEqual([
      `problem environment-certificates keyCredentials: lacks certificates[0] (certs/valid.cer, thumbprint ${mine}): deploying adds it`,
      `warning environment-certificates keyCredentials[0]: holds the certificate ${theirs}, which environments/test.ts does not list: deploying leaves it alone; remove it by hand once no VB365 server uses it`,
    ]);
  });

  test('names a different name, scope ID and consent text', () => {
    const findings = findingsAfter(
      (m) => {
        m.displayName = 'Restore Portal';
        m.api.oauth2PermissionScopes[0].id = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
        m.requiredResourceAccess[1].resourceAccess[0].id = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
        m.api.oauth2PermissionScopes[0].adminConsentDisplayName = 'Restore';
        m.api.preAuthorizedApplications = [];
      },
      { environment: env },
    );
    expect(findings).toEqual([
      'problem environment-registration displayName: is "Restore Portal", environments/test.ts has displayName "VB365 Restore Portal": deploying renames the registration (set displayName to keep its name)',
      `problem environment-scope api.oauth2PermissionScopes[0].id: is "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", environments/test.ts has scope ID ${env.scopeId}; to manage this registration, adopt it (adopt.scopeId keeps its scope)`,
      'problem environment-scope api.oauth2PermissionScopes[0].adminConsentDisplayName: is "Restore"; deploying sets "Access Veeam Backup for Microsoft 365 Restore Portal" (consentTexts.adminConsentDisplayName)',
      'warning environment-scope api.preAuthorizedApplications: does not pre-authorize this application for access_as_user: deploying adds it',
    ]);
  });

  describe('that adopts the registration', () => {
    const thumbprint = fileCertificates(env)[0].thumbprint;
    const keyId = graphManifest().keyCredentials[0].keyId;
    const adopting = (adopt: Record<string, unknown> = {}) =>
      environment({
        adopt: {
          applicationObjectId: OBJECT_ID,
          clientId: CLIENT_ID,
          scopeId: env.scopeId,
          servicePrincipalObjectId: '55555555-aaaa-4bbb-8ccc-000000000001',
          certificateKeyIds: { [thumbprint]: keyId },
          preAuthorized: true,
          ...adopt,
        },
      });

    test('finds nothing when the adoption matches the manifest', () => {
      expect(findingsOf(doctor(graphManifest(), { environment: adopting() }))).toEqual([]);
    });

    test('says when the manifest is of another registration', () => {
      const findings = findingsAfter((m) => (m.appId = '99999999-aaaa-4bbb-8ccc-000000000001'), { environment: adopting() });
      expect(findings).toContain(
        `problem environment-registration appId: is "99999999-aaaa-4bbb-8ccc-000000000001", but environments/test.ts has adopt.clientId ${CLIENT_ID}: this manifest is of another registration`,
      );
    });

    test('gives the key ID of a certificate the registration holds already', () => {
      expect(findingsOf(doctor(graphManifest(), { environment: adopting({ certificateKeyIds: {} }) }))).toEqual([
        `problem environment-certificates keyCredentials[0].keyId: holds certificates[0] (certs/valid.cer, thumbprint ${thumbprint}) already: add "${thumbprint}": "${keyId}" to adopt.certificateKeyIds, or deploying adds it a second time`,
      ]);
    });

    test('says when preAuthorized does not match the registration', () => {
      expect(findingsOf(doctor(graphManifest(), { environment: adopting({ preAuthorized: false }) }))).toEqual([
        'problem environment-scope api.preAuthorizedApplications[0]: pre-authorizes this application already: set adopt.preAuthorized: true in environments/test.ts, or deploying fails to add it again',
      ]);
      expect(findingsAfter((m) => (m.api.preAuthorizedApplications = []), { environment: adopting() })).toEqual([
        'problem environment-scope api.preAuthorizedApplications: does not list this application, but environments/test.ts has adopt.preAuthorized: true: the import would fail; set it to false',
      ]);
    });
  });
});

describe('doctor report formats', () => {
  const report = diagnose(readManifestFile(ARTICLE_MANIFEST), 'appendix-a.json', { now: NOW });

  test('text: one line per check or finding, then the verdict', () => {
    const text = formatDoctorReport(report, 'text', plain);
    expect(text.split('\n')[0]).toBe('"VB365 Restore Portal" (application ID ANYTHING) in appendix-a.json, Azure AD Graph format');
    expect(text).toContain('  ok       Supported account types  multitenant (AzureADMultipleOrgs)\n');
    expect(text).toContain('  problem  SPA redirect URIs        replyUrlsWithType[0].url: is an empty redirect URI (""); remove it under Authentication\n');
    expect(text.trimEnd().split('\n').pop()).toBe('6 problem(s), 0 warning(s): the Restore Portal needs these fixed');
    expect(text).not.toContain('\x1b[');
  });

  test('text: what a manifest says is shown escaped, so its line breaks cannot forge a finding', () => {
    const manifest = graphManifest();
    manifest.displayName = 'Portal\u001b[2J\n  ok  everything';
    manifest.spa.redirectUris.push('https://a.example.com:4443/\n  ok       Certificates');
    const text = formatDoctorReport(doctor(manifest, { environment: environment() }), 'text', plain);
    expect(text.split('\n')[0]).toMatch(/^"Portal\\u001b\[2J\\u000a  ok  everything" /);
    expect(text).toContain('"https://a.example.com:4443/\\u000a  ok       Certificates" is not in redirectUris');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test('markdown: a table for a pull request comment, with markdown characters escaped', () => {
    const markdown = formatDoctorReport(report, 'markdown', plain);
    expect(markdown.split('\n')[0]).toBe('### Restore Portal registration check: `appendix-a.json`');
    expect(markdown).toContain('| ❌ problem | access\\_as\\_user scope | `oauth2Permissions[0].id`: must be a GUID; got "ANYTHING" |');
    expect(markdown).toContain('| ❌ problem | SPA redirect URIs | `replyUrlsWithType[0].url`: is an empty redirect URI (""); remove it under Authentication |');
    expect(markdown).toContain('**6 problem(s), 0 warning(s): the Restore Portal needs these fixed**');
  });

  test('json: stable fields, with the exit code', () => {
    const json = JSON.parse(formatDoctorReport(report, 'json', plain));
    expect(json).toMatchObject({ version: 1, manifest: 'appendix-a.json', format: 'azure-ad-graph', exitCode: 2, ok: false, problems: 6, warnings: 0 });
    expect(json.environment).toBeNull();
    expect(json.checks.find((c: { check: string }) => c.check === 'redirect-uris')).toEqual({
      check: 'redirect-uris',
      title: 'SPA redirect URIs',
      status: 'problem',
      summary: null,
      findings: [{ severity: 'problem', field: 'replyUrlsWithType[0].url', message: 'is an empty redirect URI (""); remove it under Authentication' }],
    });
    expect(JSON.parse(formatDoctorReport(doctor(graphManifest()), 'json', plain)).ok).toBe(true);
  });
});
