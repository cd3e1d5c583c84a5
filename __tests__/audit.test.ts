import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditEnvironments, auditExitCode, type AuditReport, type AuditOptions } from '../lib/audit/audit';
import { formatAuditReport } from '../lib/audit/audit-report';
import { loadEnvironments } from '../lib/environment/environment-files';
import { colorsFor } from '../lib/process/command-line';
import { TENANT, TestProject, validInput } from './support/builders';
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

describe('npm run audit against the applied registration', () => {
  test('finds nothing in a registration exactly as the code applies it: exit 0, both tenants consented', async () => {
    const report = await audit();
    expect(findings(report)).toEqual([]);
    expect(report.environments[0].tenants.map((t) => [t.tenant, t.consent?.state, t.failure])).toEqual([
      ['home', 'consented', undefined],
      ['contoso', 'consented', undefined],
    ]);
    expect(auditExitCode(report)).toBe(0);
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
