import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditEnvironments, auditExitCode, type AuditReport, type AuditOptions } from '../lib/audit/audit';
import { formatAuditReport } from '../lib/audit/audit-report';
import { loadEnvironments } from '../lib/environment/environment-files';
import { colorsFor, UserError } from '../lib/process/command-line';
import { TENANT, TestProject, validInput } from './support/builders';
import { onCleanUp } from './support/clean-up';
import { makeCertificate } from './support/certificates';
import { GraphDouble, type Json } from './support/graph-double';
import { applyRegistration, doubleIdentity, grantId, keyCredential, ownerObject, type AppliedRegistration } from './support/graph-registration';

const CLIENT_ID = '0d3f5a6b-1111-4222-8333-944455556666';
const CUSTOMER = 'c0c0c0c0-1111-4222-8333-444455556666';
const DEPLOYER = '9f8e7d6c-1111-4222-8333-444455556666';
const OWNER = '5a5a5a5a-1111-4222-8333-444455556666';
const NOW = new Date('2027-01-01T00:00:00Z');

const project = new TestProject();
project.writeEnvironment('prod', validInput({ deployingIdentityObjectId: DEPLOYER, owners: [OWNER], customerTenants: [{ name: 'contoso', tenantId: CUSTOMER }] }));
writeFileSync(join(project.root, 'prod-outputs.json'), JSON.stringify({ application_id: { value: CLIENT_ID }, tenant_id: { value: TENANT } }));
const env = loadEnvironments({ projectRoot: project.root, now: NOW }).environments[0];

const double = new GraphDouble();
let applied: AppliedRegistration;

beforeAll(() => double.start());
afterAll(async () => {
  await double.stop();
  project.remove();
});
beforeEach(() => {
  double.tenants.clear();
  double.troubles.length = 0;
  double.requests.length = 0;
  double.pageSize = 100;
  applied = applyRegistration(double, env, { clientId: CLIENT_ID });
});

function audit(options: Partial<AuditOptions> = {}): Promise<AuditReport> {
  return auditEnvironments({
    projectRoot: project.root,
    identity: doubleIdentity(double),
    env: { GRAPH_ENDPOINT: double.url },
    outputsFiles: new Map([['prod', 'prod-outputs.json']]),
    graph: { timeoutMs: 1000, attempts: 3, maxRetryWaitMs: 10 },
    now: NOW,
    ...options,
  });
}

const findings = (report: AuditReport) => report.environments.flatMap((e) => e.tenants.flatMap((t) => t.findings.map((f) => ({ tenant: t.tenant, ...f }))));
const tenantOf = (report: AuditReport, name: string) => report.environments[0].tenants.find((t) => t.tenant === name)!;
const home = () => double.tenant(TENANT);
const customer = () => double.tenant(CUSTOMER);
const customerSp = () => applied.customers.get('contoso')!.servicePrincipal;
const list = (object: Json, key: string) => object[key] as Json[];
const nested = (object: Json, key: string) => object[key] as Json;
const strings = (object: Json, key: string) => object[key] as string[];

/** An audit of the registration as applied: no finding, both tenants read and consented, exit 0. */
function expectClean(report: AuditReport): void {
  expect(findings(report)).toEqual([]);
  expect(report.environments[0].tenants.map((t) => [t.tenant, t.consent?.state, t.failure])).toEqual([
    ['home', 'consented', undefined],
    ['contoso', 'consented', undefined],
  ]);
  expect(auditExitCode(report)).toBe(0);
}

describe('npm run audit against the applied registration', () => {
  test('finds nothing in a registration exactly as the code applies it: exit 0, both tenants consented', async () => {
    const report = await audit();
    expectClean(report);
    // Read-only: nothing but GET went to Graph.
    expect(double.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});

/** One change made in the portal (or by Graph) after the apply, and what the audit must say about it, and only that. */
interface Change {
  readonly change: string;
  readonly make: () => void;
  readonly kind: string;
  readonly tenant: 'home' | 'contoso';
  /** What the finding's message must say. */
  readonly says: RegExp;
  /** What its fix or command must say. */
  readonly fix?: RegExp;
}

const SECRET_KEY_ID = '7b7b7b7b-1111-4222-8333-444455556666';
const STRANGER = 'deadbeef-1111-4222-8333-444455556666';

// "Why": what Terraform's plan does not see. Point 1: the rest of what the code did not put there.
const CHANGES: Change[] = [
  {
    change: 'a client secret added to the application',
    make: () => list(applied.application, 'passwordCredentials').push({ keyId: SECRET_KEY_ID, displayName: 'backdoor', hint: 'Zx9', startDateTime: '2026-11-30T10:00:00Z', endDateTime: '2028-11-30T10:00:00Z', secretText: 'TOPSECRET-VALUE' }),
    kind: 'client-secret',
    tenant: 'home',
    says: /Client secrets: "backdoor" \(value starting Zx9\.\.\., valid 2026-11-30 to 2028-11-30\)/,
    fix: new RegExp(`az ad app credential delete --id ${CLIENT_ID} --key-id ${SECRET_KEY_ID}$`),
  },
  {
    change: 'a redirect URI added under Web',
    make: () => strings(nested(applied.application, 'web'), 'redirectUris').push('https://evil.example/callback'),
    kind: 'redirect-uri',
    tenant: 'home',
    says: /Authentication → Web: redirect URI https:\/\/evil\.example\/callback/,
    fix: /az rest --method PATCH --url https:\/\/graph\.microsoft\.com\/v1\.0\/applications\/[0-9a-f-]+ --body '\{"web":\{"redirectUris":\[\]\}\}'/,
  },
  {
    change: 'a redirect URI added under Mobile and desktop applications',
    make: () => strings(nested(applied.application, 'publicClient'), 'redirectUris').push('ms-appx-web://microsoft.aad.brokerplugin/x'),
    kind: 'redirect-uri',
    tenant: 'home',
    says: /Mobile and desktop applications: redirect URI ms-appx-web:\/\/microsoft\.aad\.brokerplugin\/x/,
    fix: /"publicClient":\{"redirectUris":\[\]\}/,
  },
  {
    change: 'a redirect URI added under Single-page application',
    make: () => strings(nested(applied.application, 'spa'), 'redirectUris').push('https://evil.example/spa'),
    kind: 'registration',
    tenant: 'home',
    says: /Same redirect URIs: spa\.redirectUris\[1\] "https:\/\/evil\.example\/spa" is not in redirectUris of environments\/prod\.ts/,
  },
  {
    change: 'the access_as_user scope turned off',
    make: () => (list(nested(applied.application, 'api'), 'oauth2PermissionScopes')[0].isEnabled = false),
    kind: 'registration',
    tenant: 'home',
    says: /access_as_user scope: api\.oauth2PermissionScopes\[0\]\.isEnabled is boolean false; the scope must be enabled/,
  },
  {
    change: 'an owner added to the application',
    make: () => home().owners.get(applied.application.id as string)!.push(ownerObject(STRANGER, 'user', 'Mallory')),
    kind: 'owner',
    tenant: 'home',
    says: new RegExp(`Owners: user "Mallory" \\(mallory@contoso\\.example\\), object ID ${STRANGER}: not in owners of environments/prod\\.ts`),
    fix: new RegExp(`az ad app owner remove --id ${CLIENT_ID} --owner-object-ids ${STRANGER}`),
  },
  {
    change: 'a certificate that is not the environment’s added to the application',
    make: () => list(applied.application, 'keyCredentials').push(keyCredential(makeCertificate({ commonName: 'attacker', notBefore: new Date('2026-11-01'), notAfter: new Date('2028-01-01') }).pem, SECRET_KEY_ID)),
    kind: 'certificate',
    tenant: 'home',
    says: /Certificates & secrets → Certificates: [0-9A-F]{40} "CN=attacker" \(valid 2026-11-01 to 2028-01-01\): not a certificate of environments\/prod\.ts/,
    fix: new RegExp(`--key-id ${SECRET_KEY_ID} --cert$`),
  },
  {
    change: 'a certificate with a forged customKeyIdentifier claiming the environment’s thumbprint',
    make: () => {
      const forged = keyCredential(makeCertificate({ commonName: 'forger', notBefore: new Date('2026-11-01'), notAfter: new Date('2028-01-01') }).pem, SECRET_KEY_ID);
      forged.customKeyIdentifier = list(applied.application, 'keyCredentials')[0].customKeyIdentifier;
      list(applied.application, 'keyCredentials').push(forged);
    },
    kind: 'certificate',
    tenant: 'home',
    says: /"CN=forger"/,
  },
  // Listed before the environment's own certificate, claiming its thumbprint: the finding is the key
  // added, and the command removes that one, never the certificate VB365 signs in with.
  ...(
    [
      ['a symmetric signing key', { type: 'Symmetric', usage: 'Sign', key: null }, /a key credential of type Symmetric, usage Sign, "backdoor"/],
      ['a key Graph shows that is no certificate', { key: Buffer.from('not a certificate').toString('base64') }, /a certificate without a thumbprint "backdoor"/],
      ['a certificate Graph shows no key of', { key: undefined }, /[0-9A-F]{40} \(a second time\) "backdoor"/],
    ] as const
  ).map(([what, fields, says]): Change => ({
    change: `${what} listed first, its customKeyIdentifier claiming the environment’s thumbprint`,
    make: () => {
      const keys = list(applied.application, 'keyCredentials');
      keys.unshift({ ...keys[0], keyId: SECRET_KEY_ID, displayName: 'backdoor', ...fields });
    },
    kind: 'certificate',
    tenant: 'home',
    says,
    fix: new RegExp(`--key-id ${SECRET_KEY_ID} --cert$`),
  })),
  {
    change: 'a federated credential added to the application',
    make: () => home().federatedCredentials.set(applied.application.id as string, [{ id: SECRET_KEY_ID, name: 'gh', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:evil/repo:ref:refs/heads/main', audiences: ['api://AzureADTokenExchange'] }]),
    kind: 'federated-credential',
    tenant: 'home',
    says: /Federated credentials: "gh" \(issuer https:\/\/token\.actions\.githubusercontent\.com, subject repo:evil\/repo:ref:refs\/heads\/main\)/,
    fix: new RegExp(`az ad app federated-credential delete --id ${CLIENT_ID} --federated-credential-id ${SECRET_KEY_ID}`),
  },
  {
    change: 'a second scope exposed',
    make: () => list(nested(applied.application, 'api'), 'oauth2PermissionScopes').push({ id: SECRET_KEY_ID, value: 'Files.ReadWrite', isEnabled: true, type: 'User' }),
    kind: 'scope',
    tenant: 'home',
    says: /Expose an API → scope "Files\.ReadWrite" \(enabled/,
  },
  {
    change: 'an app role defined',
    make: () => list(applied.application, 'appRoles').push({ id: SECRET_KEY_ID, value: 'Admin', displayName: 'Admin', isEnabled: true, allowedMemberTypes: ['Application'] }),
    kind: 'app-role',
    tenant: 'home',
    says: /App roles: "Admin" \(value Admin, enabled/,
  },
  {
    change: 'Microsoft Graph Mail.Read requested beyond User.Read',
    make: () => list(list(applied.application, 'requiredResourceAccess')[0], 'resourceAccess').push({ id: '810c84a8-4a9e-49e6-bf7d-12d183f40d01', type: 'Role' }),
    kind: 'api-permission',
    tenant: 'home',
    says: /API permissions: application permission 810c84a8-4a9e-49e6-bf7d-12d183f40d01 of Microsoft Graph/,
    fix: /az ad app permission delete --id 0d3f5a6b-1111-4222-8333-944455556666 --api 00000003-0000-0000-c000-000000000000 --api-permissions 810c84a8-4a9e-49e6-bf7d-12d183f40d01/,
  },
  {
    change: 'the sign-in audience narrowed to one tenant',
    make: () => (applied.application.signInAudience = 'AzureADMyOrg'),
    kind: 'registration',
    tenant: 'home',
    says: /Supported account types: signInAudience is "AzureADMyOrg"/,
  },
  {
    change: 'a second identifier URI',
    make: () => strings(applied.application, 'identifierUris').push('https://evil.example/api'),
    kind: 'identifier-uri',
    tenant: 'home',
    says: /Application ID URI: https:\/\/evil\.example\/api besides api:\/\//,
  },
  {
    change: 'public client flows turned off',
    make: () => (applied.application.isFallbackPublicClient = false),
    kind: 'registration',
    tenant: 'home',
    says: /Public client flows: isFallbackPublicClient is boolean false/,
  },
  {
    change: 'the deploying identity removed from the owners of the application',
    make: () => home().owners.set(applied.application.id as string, [ownerObject(OWNER)]),
    kind: 'owner-missing',
    tenant: 'home',
    says: /the deploying identity 9f8e7d6c-1111-4222-8333-444455556666 .* is not an owner: with Application\.ReadWrite\.OwnedBy/,
    fix: /az ad app owner add --id 0d3f5a6b-1111-4222-8333-944455556666 --owner-object-id 9f8e7d6c-1111-4222-8333-444455556666/,
  },
  {
    change: 'a client secret added to the service principal in a customer tenant',
    make: () => list(customerSp(), 'passwordCredentials').push({ keyId: SECRET_KEY_ID, displayName: 'sp-secret', hint: 'abc', endDateTime: '2028-01-01T00:00:00Z' }),
    kind: 'service-principal-secret',
    tenant: 'contoso',
    says: /Client secrets of the service principal: "sp-secret"/,
    fix: new RegExp(`az ad sp credential delete --id [0-9a-f-]+ --key-id ${SECRET_KEY_ID}$`),
  },
  {
    change: 'a certificate added to the service principal at home',
    make: () => list(applied.servicePrincipal, 'keyCredentials').push({ keyId: SECRET_KEY_ID, displayName: 'CN=saml', type: 'AsymmetricX509Cert', usage: 'Verify' }),
    kind: 'service-principal-certificate',
    tenant: 'home',
    says: /Certificates of the service principal: "CN=saml"/,
    fix: /--cert$/,
  },
  {
    change: 'an owner added to the service principal in a customer tenant',
    make: () => customer().owners.set(customerSp().id as string, [ownerObject(STRANGER, 'user', 'Mallory')]),
    kind: 'owner',
    tenant: 'contoso',
    says: /Enterprise applications → Owners: user "Mallory" .*: the code gives the service principal in a customer tenant no owner/,
    fix: /az rest --method DELETE --url 'https:\/\/graph\.microsoft\.com\/v1\.0\/servicePrincipals\/[0-9a-f-]+\/owners\/deadbeef-1111-4222-8333-444455556666\/\$ref'/,
  },
  {
    change: 'an owner added to the service principal at home',
    make: () => home().owners.get(applied.servicePrincipal.id as string)!.push(ownerObject(STRANGER, 'user', 'Mallory')),
    kind: 'owner',
    tenant: 'home',
    says: /Enterprise applications → Owners: user "Mallory" .*: not in owners of environments\/prod\.ts/,
  },
  {
    change: 'an application permission given to the service principal',
    make: () =>
      customer().appRoleAssignments.set(customerSp().id as string, [
        { id: grantId(), appRoleId: '01d4889c-1287-42c6-ac1f-5d1e02578ef6', resourceId: STRANGER, resourceDisplayName: 'Microsoft Graph', createdDateTime: '2026-11-29T08:00:00Z', principalId: customerSp().id },
      ]),
    kind: 'application-permission',
    tenant: 'contoso',
    says: /application permission 01d4889c-1287-42c6-ac1f-5d1e02578ef6 of "Microsoft Graph" .*, granted 2026-11-29/,
    fix: /az rest --method DELETE --url https:\/\/graph\.microsoft\.com\/v1\.0\/servicePrincipals\/[0-9a-f-]+\/appRoleAssignments\/[\w-]+$/,
  },
  {
    change: 'a delegated grant for one user given to the service principal',
    make: () => {
      const graph = home().servicePrincipals.find((sp) => sp.displayName === 'Microsoft Graph')!;
      home().grants.push({ id: grantId(), clientId: applied.servicePrincipal.id, consentType: 'Principal', principalId: STRANGER, resourceId: graph.id, scope: 'Mail.Read offline_access' });
    },
    kind: 'delegated-permission',
    tenant: 'home',
    says: /Permissions: Mail\.Read offline_access on Microsoft Graph granted for the user deadbeef-1111-4222-8333-444455556666 \(user consent\)/,
    fix: /az rest --method DELETE --url https:\/\/graph\.microsoft\.com\/v1\.0\/oauth2PermissionGrants\/[\w-]+$/,
  },
  {
    change: 'more scopes put into the admin consent for Microsoft Graph',
    make: () => (customer().grants.find((g) => g.scope === 'User.Read')!.scope = 'User.Read Directory.ReadWrite.All'),
    kind: 'delegated-permission',
    tenant: 'contoso',
    says: /the grant on Microsoft Graph also gives Directory\.ReadWrite\.All for all users/,
    fix: /--body '\{"scope":"User\.Read"\}'/,
  },
  {
    change: 'the admin consent for access_as_user revoked in a customer tenant',
    make: () => customer().grants.splice(customer().grants.findIndex((g) => g.scope === 'access_as_user'), 1),
    kind: 'consent-missing',
    tenant: 'contoso',
    says: /Admin consent: access_as_user on the Restore Portal itself is not granted for all users/,
    fix: /applying prod-tenant-contoso grants it; or the customer's admin opens https:\/\/login\.microsoftonline\.com\/c0c0c0c0-1111-4222-8333-444455556666\/adminconsent\?client_id=0d3f5a6b/,
  },
  {
    change: 'the service principal disabled for sign-in',
    make: () => (applied.servicePrincipal.accountEnabled = false),
    kind: 'service-principal-disabled',
    tenant: 'home',
    says: /"Enabled for users to sign-in\?" is No/,
    fix: /az ad sp update --id [0-9a-f-]+ --set accountEnabled=true/,
  },
  {
    change: 'the service principal deleted in a customer tenant',
    make: () => customer().servicePrincipals.splice(customer().servicePrincipals.indexOf(customerSp()), 1),
    kind: 'consent-missing',
    tenant: 'contoso',
    says: /the customer's tenant has no service principal of the Restore Portal: it is not consented/,
  },
];

describe('each change made outside the code is found, and only that change', () => {
  test.each(CHANGES)('$change', async ({ make, kind, tenant, says, fix }) => {
    make();
    const report = await audit();
    const found = findings(report);
    expect(found).toEqual([expect.objectContaining({ kind, tenant, message: expect.stringMatching(says) })]);
    if (fix) expect(`${found[0].fix}: ${found[0].command}`).toMatch(fix);
    expect(auditExitCode(report)).toBe(2);
  });

  test('a customer whose consent was revoked or whose service principal is gone shows as not consented', async () => {
    customer().grants.splice(customer().grants.findIndex((g) => g.scope === 'User.Read'), 1);
    expect(tenantOf(await audit(), 'contoso').consent).toEqual({ consented: false, state: 'not consented: admin consent for User.Read missing' });
    customer().servicePrincipals.splice(customer().servicePrincipals.indexOf(customerSp()), 1);
    expect(tenantOf(await audit(), 'contoso').consent).toEqual({ consented: false, state: 'not consented: no service principal' });
  });

  test('a secret is never printed: key ID, name, hint and dates only, in every format', async () => {
    CHANGES[0].make();
    const report = await audit();
    for (const format of ['text', 'markdown', 'json'] as const) {
      const text = formatAuditReport(report, format, colorsFor({}));
      expect(text).toContain(SECRET_KEY_ID);
      expect(text).not.toContain('TOPSECRET');
    }
  });
});

// Graph reads /applications(appId='...') in one request; an endpoint that speaks Graph as the azuread
// provider uses it (lists filtered on appId or clientId, objects by ID) may not take that alternate key,
// nor list a service principal's grants below it.
describe('a Graph endpoint without alternate keys: the same audit, through filtered lists and object IDs', () => {
  beforeEach(() => {
    double.fullGraph = false;
    onCleanUp(() => (double.fullGraph = true));
  });

  test('finds nothing in the registration as applied, reading each object by the ID its filtered list gives', async () => {
    expectClean(await audit());
    const paths = double.requests.map((r) => decodeURIComponent(new URL(r.url).pathname + new URL(r.url).search));
    expect(paths).toContain(`/v1.0/applications?$filter=appId eq '${CLIENT_ID}'&$select=id,appId`);
    expect(paths).toContain(`/v1.0/oauth2PermissionGrants?$filter=clientId eq '${applied.servicePrincipal.id}'`);
    expect(paths).toContain(`/v1.0/applications/${applied.application.id}?$select=id,appId,displayName,signInAudience,identifierUris,isFallbackPublicClient,api,appRoles,requiredResourceAccess,web,spa,publicClient,keyCredentials,passwordCredentials`);
  });

  test.each(CHANGES.filter((c) => /client secret added|forged customKeyIdentifier|disabled for sign-in|deleted in a customer tenant|consent|grant/i.test(c.change)))('$change', async ({ make, kind, tenant, says }) => {
    make();
    const report = await audit();
    expect(findings(report)).toEqual([expect.objectContaining({ kind, tenant, message: expect.stringMatching(says) })]);
    expect(auditExitCode(report)).toBe(2);
  });

  test("an application the filter does not find was deleted, as Graph's 404 says", async () => {
    home().applications.length = 0;
    expect(tenantOf(await audit(), 'home').failure).toMatch(new RegExp(`^the application registration ${CLIENT_ID} was deleted in Entra`));
  });

  test('two objects with the client ID are an answer it cannot vouch for', async () => {
    home().applications.push({ ...applied.application, id: 'abababab-1111-4222-8333-444455556666' });
    expect(tenantOf(await audit(), 'home').failure).toMatch(/lists 2 objects with that client ID, where there is one$/);
  });
});

describe('Graph answers are read as hostile input, and each failure is one line', () => {
  const failureOf = (report: AuditReport, tenant = 'home') => tenantOf(report, tenant).failure;

  test('401: the token was not accepted; the other tenants are audited all the same', async () => {
    double.trouble({ path: /^\/applications\(/, status: 401, body: JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed, the token is expired.' } }) });
    const report = await audit();
    expect(failureOf(report)).toBe(
      `Graph did not accept the identity's token in tenant ${TENANT} reading the application ${CLIENT_ID} (401 InvalidAuthenticationToken: Lifetime validation failed, the token is expired.)`,
    );
    expect(tenantOf(report, 'contoso')).toMatchObject({ consent: { consented: true } });
    expect(tenantOf(report, 'contoso').failure).toBeUndefined();
    expect(auditExitCode(report)).toBe(1);
  });

  test('403 names the Graph permission the identity lacks: the consent grants need Directory.Read.All', async () => {
    customer().permissions = new Set(['Application.Read.All']);
    const report = await audit();
    expect(failureOf(report, 'contoso')).toMatch(
      /^the identity may not read the delegated permission grants \(admin consent\) of the service principal of 0d3f5a6b-\S+ in tenant c0c0c0c0-\S+ \(403 Authorization_RequestDenied: Insufficient privileges to complete the operation\.\): give it the Microsoft Graph application permission Directory\.Read\.All, with admin consent in that tenant$/,
    );
    expect(auditExitCode(report)).toBe(1);
  });

  test('403 with Directory.Read.All alone: the federated credentials need Application.Read.All', async () => {
    home().permissions = new Set(['Directory.Read.All']);
    expect(failureOf(await audit())).toMatch(/^the identity may not read the federated credentials of the application \S+ in tenant \S+ \(403 Authorization_RequestDenied: .*\): give it the Microsoft Graph application permission Application\.Read\.All, with admin consent in that tenant$/);
  });

  test('404 of the application: the registration was deleted, explained as plan explains it', async () => {
    home().applications.length = 0;
    const report = await audit();
    expect(failureOf(report)).toMatch(
      new RegExp(`^the application registration ${CLIENT_ID} was deleted in Entra \\(Graph has no application with that client ID in tenant ${TENANT}\\)\\. Applying would register a new one with a new Application ID, which every VB365 server would need: do not apply prod before it is restored\\. Restore it within 30 days of its deletion \\(Entra admin center → App registrations → Deleted applications`),
    );
    expect(auditExitCode(report)).toBe(1);
  });

  test('429 is retried after Retry-After, a bounded number of times', async () => {
    double.trouble({ path: /^\/applications\(/, status: 429, headers: { 'retry-after': '0' }, times: 2 });
    const progress: string[] = [];
    const report = await audit({ onProgress: (line) => progress.push(line) });
    expect(auditExitCode(report)).toBe(0);
    expect(double.requests.filter((r) => r.url.includes('/applications(')).length).toBe(3);
    expect(progress).toContain(`prod: Graph answered 429 reading the application ${CLIENT_ID}; trying again in 0 s`);

    double.trouble({ path: /^\/servicePrincipals\(appId='0d3f/, status: 503, headers: { 'retry-after': '0' } });
    const throttled = await audit();
    expect(failureOf(throttled)).toBe(`Graph kept answering 503 reading the service principal of ${CLIENT_ID} after 3 attempts: try again later`);
    expect(failureOf(throttled, 'contoso')).toBe(failureOf(throttled));
  });

  test('a request that does not answer ends at its timeout, is retried, and then fails in one line', async () => {
    double.trouble({ path: /\/federatedIdentityCredentials/, hang: true, times: 1 });
    expect(auditExitCode(await audit({ graph: { timeoutMs: 300, attempts: 2, maxRetryWaitMs: 10 } }))).toBe(0);
    double.trouble({ path: /\/federatedIdentityCredentials/, hang: true });
    const report = await audit({ graph: { timeoutMs: 300, attempts: 2, maxRetryWaitMs: 10 } });
    expect(failureOf(report)).toBe(`no answer from Graph within 0.3 s reading the federated credentials of the application ${CLIENT_ID} from 127.0.0.1:${new URL(double.url).port} (2 attempts)`);
  }, 10_000);

  test.each([
    ['broken JSON', '{"id": ', /^Graph's answer for the application \S+ is not valid JSON at line 1, column 8: the text ends before the JSON is complete$/],
    ['JSON nested 200 deep', `${'['.repeat(200)}${']'.repeat(200)}`, /^Graph's answer for the application \S+ is nested more than 100 levels deep/],
    ['a list where an object belongs', '[]', /^Graph's answer for the application \S+ is not a JSON object$/],
    ['an answer of 9 MiB', JSON.stringify({ id: 'x'.repeat(9 * 1024 * 1024) }), /^Graph's answer for the application \S+ is larger than 8 MiB, more than it can be$/],
  ])('%s is refused, not read', async (_, body, message) => {
    double.trouble({ path: /^\/applications\(/, body });
    expect(failureOf(await audit())).toMatch(message);
  });

  test.each([
    ['a list that is no list', () => (applied.application.passwordCredentials = 'backdoor'), /has passwordCredentials "backdoor", which it never holds$/],
    ['a key ID that is no GUID', () => list(applied.application, 'passwordCredentials').push({ keyId: "x'; rm -rf ~; '" }), /has passwordCredentials\[0\]\.keyId "x'; rm -rf ~; '", which it never holds$/],
    ['accountEnabled that is no boolean', () => (applied.servicePrincipal.accountEnabled = 'yes'), /has accountEnabled "yes", not true or false$/],
    ['the object of another application', () => double.trouble({ path: /^\/applications\(/, body: JSON.stringify({ ...applied.application, appId: 'ffffffff-1111-4222-8333-444455556666' }) }), /is of another application \(appId "ffffffff-/],
  ])('%s fails the read: the audit cannot vouch for what it could not read', async (_, make, message) => {
    make();
    const report = await audit();
    expect(failureOf(report)).toMatch(message);
    expect(auditExitCode(report)).toBe(1);
  });

  test('lists are read page by page to the end', async () => {
    double.pageSize = 1;
    home().owners.get(applied.application.id as string)!.push(ownerObject(STRANGER, 'user', 'Mallory'));
    const report = await audit();
    expect(findings(report)).toEqual([expect.objectContaining({ kind: 'owner', id: STRANGER })]);
    expect(double.requests.filter((r) => r.url.includes(`/applications/${applied.application.id}/owners`)).length).toBe(3);
  });

  test('a next page on another host is not followed: the token would go with it', async () => {
    double.trouble({ path: /\/owners/, body: JSON.stringify({ value: [], '@odata.nextLink': 'https://evil.example/v1.0/applications/x/owners?$skiptoken=1' }) });
    expect(failureOf(await audit())).toMatch(/^Graph's answer for the owners of the application \S+ points its next page elsewhere \(https:\/\/evil\.example\): not followed, since the token would go with it$/);
    double.troubles.length = 0;
    double.trouble({ path: /\/owners/, body: JSON.stringify({ value: [], '@odata.nextLink': `${double.url}/v1.0/applications/x/owners` }) });
    double.trouble({ path: /\/applications\/x\/owners/, body: JSON.stringify({ value: [], '@odata.nextLink': `${double.url}/v1.0/applications/x/owners` }) });
    expect(failureOf(await audit())).toMatch(/goes on for more than 200 pages, or back to a page it gave/);
  });

  test('a list whose pages together run to more than 16 MiB is not read to the end, though each page is within its limit', async () => {
    double.pageSize = 1;
    const owners = home().owners.get(applied.application.id as string)!;
    const name = 'M'.repeat(6 * 1024 * 1024);
    for (let i = 0; i < 3; i++) owners.push({ '@odata.type': '#microsoft.graph.user', id: `${String(i).padStart(8, '0')}-1111-4222-8333-444455556666`, displayName: name });
    expect(failureOf(await audit())).toMatch(/^Graph's answer for the owners of the application \S+ runs to more than 16 MiB over its pages, more than it can be: not read to the end$/);
  });

  test('the commands for several redirect URIs of one platform, run one after the other in any order, leave none of them', async () => {
    strings(nested(applied.application, 'web'), 'redirectUris').push('https://evil.example/one', 'https://evil.example/two');
    const commands = findings(await audit()).map((f) => f.command!);
    expect(commands).toHaveLength(2);
    for (const order of [commands, [...commands].reverse()]) {
      // What each PATCH leaves, as Graph applies a PATCH of web.redirectUris: the list it gives.
      const left = order.reduce<string[]>((_, command) => JSON.parse(/--body '(.*)'$/.exec(command)![1]).web.redirectUris, []);
      expect(left).toEqual([]);
    }
  });

  test("a Graph that leaves out a certificate's type and usage (an emulator) still has it taken for the environment's", async () => {
    for (const key of list(applied.application, 'keyCredentials')) {
      delete key.type;
      delete key.usage;
    }
    expect(findings(await audit())).toEqual([]);
  });

  test('a redirect is not followed', async () => {
    double.trouble({ path: /^\/applications\(/, status: 302, headers: { location: 'https://evil.example/' } });
    expect(failureOf(await audit())).toMatch(/^Graph answered with a redirect \(302\) reading the application \S+: not followed/);
  });

  test('what Graph says is cut to a report line, and a job summary gets at most 300 findings and a count of the rest', async () => {
    const owners = home().owners.get(applied.application.id as string)!;
    owners.push(ownerObject(STRANGER, 'user', 'M'.repeat(1024 * 1024)));
    for (let i = 0; i < 400; i++) owners.push(ownerObject(`${String(i).padStart(8, '0')}-1111-4222-8333-444455556666`, 'user', `Mallory ${i}`));
    const report = await audit();
    expect(findings(report)).toHaveLength(401);
    expect(findings(report)[0].message).toMatch(/^Owners: user "M{97}\.\.\." \(m{297}\.\.\.\), object ID deadbeef/);
    const markdown = formatAuditReport(report, 'markdown', colorsFor({}));
    expect(markdown.split('\n').filter((line) => line.includes('❌'))).toHaveLength(300);
    expect(markdown).toContain('⚠️ 101 more finding(s) not shown here: `npm run audit -- --format json` lists them all.');
    expect(markdown.length).toBeLessThan(300_000);
  });

  test('names from Graph stay text: no markdown, HTML, mention or log command gets through', async () => {
    const hostile = '<img src=x onerror=alert(1)> **bold** @admin\r\n::error::forged \u001b[2J \u202egnp.exe';
    home().owners.get(applied.application.id as string)!.push(ownerObject(STRANGER, 'user', hostile));
    const report = await audit();
    const markdown = formatAuditReport(report, 'markdown', colorsFor({}));
    expect(markdown).not.toMatch(/<img|\*\*bold\*\*|@admin|\n::error|\u001b|\u202e/);
    expect(markdown).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const text = formatAuditReport(report, 'text', colorsFor({}));
    expect(text).not.toMatch(/\r|\n::error|\u001b|\u202e/);
    expect(text).toContain('\\u000d\\u000a::error::forged \\u001b[2J \\u202egnp.exe');
    expect(JSON.parse(formatAuditReport(report, 'json', colorsFor({}))).environments[0].tenants[0].findings[0].message).toContain(hostile.slice(0, 60));
  });
});

describe('what the audit needs to know of an environment', () => {
  test('the client ID comes from the outputs; without them the environment is not audited, and says why', async () => {
    const report = await audit({ outputsFiles: new Map() });
    expect(report.environments[0].failure).toBe("the application's client ID is unknown until prod is deployed (not synthesized: npm run synth, or give --outputs), so there is nothing to find it by in Graph");
    expect(auditExitCode(report)).toBe(1);
    expect(double.requests).toEqual([]);
  });

  test('--outputs naming an environment that was not named, or none at all, is one line saying which', async () => {
    const two = new TestProject();
    onCleanUp(() => two.remove());
    two.writeEnvironment('prod', validInput());
    two.writeEnvironment('lab', validInput({ redirectUris: ['https://lab.example.com:4443'] }));
    await expect(audit({ projectRoot: two.root, environments: ['lab'], outputsFiles: new Map([['prod', 'prod-outputs.json']]) })).rejects.toThrow(
      new UserError('--outputs prod=...: prod is not among the environments named (lab); name it too, or leave its --outputs out'),
    );
    await expect(audit({ projectRoot: two.root, outputsFiles: new Map([['prdo', 'prod-outputs.json']]) })).rejects.toThrow(
      new UserError('--outputs prdo=...: no such environment "prdo"; did you mean prod?'),
    );
  });

  test('an audit that could read nothing never says Entra holds what the code puts there', async () => {
    const verdict = (report: AuditReport) => formatAuditReport(report, 'text', colorsFor({})).trimEnd().split('\n').pop();
    const nothingRead = await audit({ outputsFiles: new Map() });
    expect(verdict(nothingRead)).toBe('nothing audited: 1 could not be audited, so this says nothing of what Entra holds');
    expect(formatAuditReport(nothingRead, 'markdown', colorsFor({}))).not.toContain('Entra holds what the code puts there');

    const clean = await audit();
    const homeOnly: AuditReport = {
      ...clean,
      environments: clean.environments.map((e) => ({ ...e, tenants: e.tenants.map((t) => (t.tenant === 'home' ? t : { ...t, findings: [], failure: 'sign-in refused' })) })),
    };
    expect(verdict(homeOnly)).toBe('nothing found in the 1 tenant(s) audited; 1 could not be audited');

    const examplesOnly = new TestProject();
    onCleanUp(() => examplesOnly.remove());
    examplesOnly.writeEnvironment('example', validInput({ tenantId: '00000000-0000-0000-0000-000000000000' }));
    expect(verdict(await audit({ projectRoot: examplesOnly.root, outputsFiles: new Map() }))).toBe('nothing audited: no environment to audit');
  });

  test('--shard audits the tenants of that part only, as drift plans the stacks', async () => {
    const report = await audit({ shard: { index: 2, count: 2 } });
    expect(report.environments[0].tenants.map((t) => t.stack)).toEqual(['prod-tenant-contoso']);
    expect(double.requests.some((r) => r.tenant === TENANT)).toBe(false);
  });

  test('a bounded number of tenants is audited at once', async () => {
    const many = new TestProject();
    onCleanUp(() => {
      double.latencyMs = 0;
    });
    const customers = Array.from({ length: 6 }, (_, i) => ({ name: `c${i}`, tenantId: `c0c0c0c${i}-1111-4222-8333-444455556666` }));
    many.writeEnvironment('msp', validInput({ deployingIdentityObjectId: DEPLOYER, customerTenants: customers }));
    writeFileSync(join(many.root, 'outputs.json'), JSON.stringify({ application_id: { value: CLIENT_ID } }));
    applyRegistration(double, loadEnvironments({ projectRoot: many.root, now: NOW }).environments[0], { clientId: CLIENT_ID });
    double.latencyMs = 20;
    double.mostTenantsAtOnce = 0;
    const report = await audit({ projectRoot: many.root, outputsFiles: new Map([['msp', 'outputs.json']]), parallel: 2 });
    expect(report.environments[0].tenants).toHaveLength(7);
    expect(double.mostTenantsAtOnce).toBe(2);
  });
});

describe('certificates Terraform makes, and registrations adopted', () => {
  const other = new TestProject();
  const current = makeCertificate({ commonName: 'current.example.com', notBefore: new Date('2026-06-01'), notAfter: new Date('2028-06-01') });
  other.writeEnvironment('lab', validInput({ deployingIdentityObjectId: DEPLOYER, certificates: [{ source: 'selfSigned', name: 'current' }] }));
  other.writeEnvironment(
    'wizard',
    validInput({
      tenantId: '22222222-2222-4222-8222-222222222222',
      deployingIdentityObjectId: DEPLOYER,
      certificates: [{ source: 'selfSigned', name: 'current' }],
      adopt: { applicationObjectId: '6a6a6a6a-1111-4222-8333-444455556666', clientId: CLIENT_ID, scopeId: '4b4b4b4b-1111-4222-8333-444455556666', servicePrincipalObjectId: '7c7c7c7c-1111-4222-8333-444455556666' },
    }),
  );
  const outputs = (pem?: string) => JSON.stringify({ application_id: { value: CLIENT_ID }, ...(pem ? { certificate_current_pem: { value: pem } } : {}) });
  writeFileSync(join(other.root, 'with-pem.json'), outputs(current.pem));
  writeFileSync(join(other.root, 'without-pem.json'), outputs());
  const [lab, wizard] = loadEnvironments({ projectRoot: other.root, now: NOW }).environments;
  afterAll(() => other.remove());
  // Only these environments' registrations: prod's has the same client ID.
  beforeEach(() => double.tenants.clear());
  const auditLab = (file: string) => audit({ projectRoot: other.root, environments: ['lab'], outputsFiles: new Map([['lab', file]]) });

  test("a self-signed certificate is known by the thumbprint of the PEM in the stack's outputs", async () => {
    applyRegistration(double, lab, { clientId: CLIENT_ID, selfSigned: { current: current.pem } });
    expect(findings(await auditLab('with-pem.json'))).toEqual([]);
  });

  test('a self-signed certificate not in the outputs yet is not deployed yet: a note, not a finding', async () => {
    const labApplied = applyRegistration(double, lab, { clientId: CLIENT_ID, selfSigned: { current: current.pem } });
    labApplied.application.keyCredentials = [];
    const report = await auditLab('without-pem.json');
    expect(findings(report)).toEqual([]);
    expect(report.environments[0].notes).toEqual(['self-signed certificate "current" is not in without-pem.json yet (not deployed?): not compared']);
  });

  test('a PEM output that is no certificate is said, not taken for a certificate not deployed yet', async () => {
    applyRegistration(double, lab, { clientId: CLIENT_ID, selfSigned: { current: current.pem } });
    writeFileSync(join(other.root, 'bad-pem.json'), outputs('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'));
    const report = await auditLab('bad-pem.json');
    expect(tenantOf(report, 'home').failure).toMatch(/^bad-pem\.json: output certificate_current_pem /);
    expect(auditExitCode(report)).toBe(1);
  });

  test('an adopted registration is found by adopt.clientId; its self-signed certificates still need the outputs', async () => {
    applyRegistration(double, wizard, { clientId: CLIENT_ID, selfSigned: { current: current.pem } });
    const report = await audit({ projectRoot: other.root, environments: ['wizard'], outputsFiles: new Map() });
    expect(report.environments[0]).toMatchObject({ clientId: CLIENT_ID, clientIdSource: 'adopt.clientId of environments/wizard.ts' });
    expect(tenantOf(report, 'home').failure).toMatch(/^the thumbprint of self-signed certificate "current" is only in wizard's Terraform outputs, which are not at hand \(not synthesized: npm run synth, or give --outputs\)$/);
    expect(findings(await audit({ projectRoot: other.root, environments: ['wizard'], outputsFiles: new Map([['wizard', 'with-pem.json']]) }))).toEqual([]);
  });
});
