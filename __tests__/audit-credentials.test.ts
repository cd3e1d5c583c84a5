import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import forge from 'node-forge';
import { GraphError } from '../lib/audit/graph-client';
import { graphIdentityFromEnvironment } from '../lib/audit/graph-credentials';
import { graphEndpoints } from '../lib/audit/graph-endpoints';
import { buildPfx } from '../lib/certificates/pfx';
import { CLOUDS } from '../lib/construct/cloud';
import { UserError } from '../lib/process/command-line';
import { makeCertificate, testKey } from './support/certificates';
import { GraphDouble, trustPolicy } from './support/graph-double';
import { PROCESS_TIMEOUT } from './support/timeouts';

const CLIENT_ID = '3c3c3c3c-1111-4222-8333-444455556666';
const HOME = '11111111-2222-3333-4444-555555555555';
const CUSTOMER = 'c0c0c0c0-1111-4222-8333-444455556666';
const SECRET = 'Kx8~not-for-any-log.0123456789';
const PFX_PASSWORD = 'pfx-Passwort-7';

const double = new GraphDouble();
const dir = mkdtempSync(join(tmpdir(), 'audit-credentials-'));
const REPO_ROOT = resolve(__dirname, '..');
let endpoints: ReturnType<typeof graphEndpoints>;
let trust: { additionalPolicies: ReturnType<typeof trustPolicy>[] };

beforeAll(async () => {
  await double.start({ authority: true });
  endpoints = graphEndpoints(CLOUDS.public, { AZURE_AUTHORITY_HOST: double.authority, GRAPH_ENDPOINT: double.url });
  trust = { additionalPolicies: [trustPolicy(double.certificatePem)] };
}, 20_000);
afterEach(() => {
  double.identities.length = 0;
  double.requests.length = 0;
  double.githubAudiences.length = 0;
});
afterAll(async () => {
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

const identity = (vars: NodeJS.ProcessEnv) => graphIdentityFromEnvironment(vars, { cwd: dir, credentialOptions: trust, timeoutMs: 10_000 });
const message = async (work: () => unknown) => {
  try {
    await work();
  } catch (error) {
    return { type: (error as Error).name, kind: (error as GraphError).kind, message: (error as Error).message };
  }
  throw new Error('no error');
};

describe('the audit signs in with the variables the azuread provider reads, a token per tenant', () => {
  test('ARM_CLIENT_ID and ARM_CLIENT_SECRET: a token for each tenant from the authority AZURE_AUTHORITY_HOST names', async () => {
    double.identities.push({ clientId: CLIENT_ID, secret: SECRET });
    const signedIn = identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_SECRET: SECRET });
    expect(signedIn.description).toBe(`client secret (ARM_CLIENT_SECRET) of application ${CLIENT_ID}`);
    expect(await signedIn.token(HOME, endpoints)).toBe(double.tokenFor(HOME));
    expect(await signedIn.token(CUSTOMER, endpoints)).toBe(double.tokenFor(CUSTOMER));
    expect(double.requests.map((r) => r.url)).toEqual([`${double.authority}/${HOME}/oauth2/v2.0/token`, `${double.authority}/${CUSTOMER}/oauth2/v2.0/token`]);
  }, 20_000);

  test('a refused secret, or an identity not consented in a tenant, ends in one line that never holds the secret', async () => {
    double.identities.push({ clientId: CLIENT_ID, secret: 'another', notIn: [CUSTOMER] });
    const refused = await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_SECRET: SECRET }).token(HOME, endpoints));
    expect(refused).toEqual({
      type: 'GraphError',
      kind: 'sign-in',
      message: `could not sign in to tenant ${HOME} with the client secret (ARM_CLIENT_SECRET) of application ${CLIENT_ID}: invalid_client: AADSTS7000215: Invalid client secret provided.`,
    });
    const notConsented = await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_SECRET: 'another' }).token(CUSTOMER, endpoints));
    expect(notConsented.message).toMatch(new RegExp(`: unauthorized_client: AADSTS700016: Application with identifier '${CLIENT_ID}' was not found in the directory '${CUSTOMER}'\\.$`));
    expect(JSON.stringify([refused, notConsented])).not.toContain(SECRET);
  }, 20_000);

  test('a PKCS#12 client certificate (ARM_CLIENT_CERTIFICATE_PATH, or base64 in ARM_CLIENT_CERTIFICATE) signs the assertion', async () => {
    const certificate = makeCertificate({ commonName: 'restore-portal-plan', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000) });
    const pfx = buildPfx({ certificatePem: certificate.pem, privateKeyPem: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), friendlyName: 'plan' }, PFX_PASSWORD);
    writeFileSync(join(dir, 'plan.pfx'), pfx);
    double.identities.push({ clientId: CLIENT_ID, certificatePem: certificate.pem });
    const fromFile = identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'plan.pfx', ARM_CLIENT_CERTIFICATE_PASSWORD: PFX_PASSWORD });
    expect(fromFile.description).toMatch(new RegExp(`^client certificate [0-9A-F]{40} \\(ARM_CLIENT_CERTIFICATE_PATH \\(plan\\.pfx\\)\\) of application ${CLIENT_ID}$`));
    expect(await fromFile.token(HOME, endpoints)).toBe(double.tokenFor(HOME));
    const fromVariable = identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE: pfx.toString('base64'), ARM_CLIENT_CERTIFICATE_PASSWORD: PFX_PASSWORD });
    expect(await fromVariable.token(CUSTOMER, endpoints)).toBe(double.tokenFor(CUSTOMER));
  }, 20_000);

  test('a certificate bundle that does not open says so in one line, without the password', async () => {
    writeFileSync(join(dir, 'plan.pfx'), buildPfx({ certificatePem: makeCertificate({ notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) }).pem, privateKeyPem: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), friendlyName: 'x' }, PFX_PASSWORD));
    writeFileSync(join(dir, 'plan.pem'), makeCertificate({ notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) }).pem);
    const wrong = await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'plan.pfx', ARM_CLIENT_CERTIFICATE_PASSWORD: 'wrong-password-9' }));
    expect(wrong).toEqual({
      type: 'UserError',
      kind: undefined,
      message:
        'ARM_CLIENT_CERTIFICATE_PATH (plan.pfx): cannot be opened as a PKCS#12 (.pfx) bundle with ARM_CLIENT_CERTIFICATE_PASSWORD (wrong password, or not a PFX: the azuread provider, and so this command, takes PKCS#12)',
    });
    expect((await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'plan.pem' }))).message).toMatch(/^ARM_CLIENT_CERTIFICATE_PATH \(plan\.pem\): cannot be opened as a PKCS#12/);
    expect((await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: '/dev/zero' }))).message).toBe('ARM_CLIENT_CERTIFICATE_PATH (/dev/zero): is not a regular file');
    execFileSync('mkfifo', [join(dir, 'fifo.pfx')]);
    expect((await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'fifo.pfx' }))).message).toBe('ARM_CLIENT_CERTIFICATE_PATH (fifo.pfx): is not a regular file');
    writeFileSync(join(dir, 'huge.pfx'), Buffer.alloc(65 * 1024));
    expect((await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'huge.pfx' }))).message).toBe('ARM_CLIENT_CERTIFICATE_PATH: huge.pfx: is larger than 64 KiB, more than any file this tool reads');
    expect((await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_SECRET_FILE_PATH: 'no-such-file' }))).message).toBe('ARM_CLIENT_SECRET_FILE_PATH (no-such-file): file not found');
  }, PROCESS_TIMEOUT);

  test('a bundle asking for more key-derivation iterations than any exporter uses is refused before they are derived', async () => {
    const pfx = buildPfx({ certificatePem: makeCertificate({ notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) }).pem, privateKeyPem: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), friendlyName: 'x' }, PFX_PASSWORD);
    // The MAC's iteration count (MacData, the bundle's third part) set to 2^31 - 1: a day of node-forge's time.
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
    ((asn1.value as forge.asn1.Asn1[])[2].value as forge.asn1.Asn1[])[2].value = '\x7f\xff\xff\xff';
    writeFileSync(join(dir, 'slow.pfx'), Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    expect(await message(() => identity({ ARM_CLIENT_ID: CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH: 'slow.pfx', ARM_CLIENT_CERTIFICATE_PASSWORD: PFX_PASSWORD }))).toEqual({
      type: 'UserError',
      kind: undefined,
      message:
        'ARM_CLIENT_CERTIFICATE_PATH (slow.pfx): asks for 2,147,483,647 key-derivation iterations, more than the 600,000 this command derives (a bundle exported by Windows, OpenSSL or Key Vault uses 2,000 to 10,000); export it again',
    });
  });

  test('ARM_USE_OIDC in a GitHub job: the job’s OIDC token, asked once for the audience api://AzureADTokenExchange, signs in to every tenant', async () => {
    const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.c2ln`;
    double.githubTokens.set('request-token', jwt);
    double.identities.push({ clientId: CLIENT_ID, federatedTokens: [jwt] });
    const signedIn = identity({
      ARM_USE_OIDC: 'true',
      ARM_CLIENT_ID: CLIENT_ID,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${double.url}/github/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
    });
    expect(signedIn.description).toBe(`OIDC token (GitHub Actions, ACTIONS_ID_TOKEN_REQUEST_URL) of application ${CLIENT_ID}`);
    expect(await signedIn.token(HOME, endpoints)).toBe(double.tokenFor(HOME));
    expect(await signedIn.token(CUSTOMER, endpoints)).toBe(double.tokenFor(CUSTOMER));
    expect(double.githubAudiences).toEqual(['api://AzureADTokenExchange']);
  }, 20_000);

  test('ARM_OIDC_TOKEN_FILE_PATH is read anew for each token, as an orchestrator rewrites it', async () => {
    writeFileSync(join(dir, 'token'), 'first.jwt.token\n');
    double.identities.push({ clientId: CLIENT_ID, federatedTokens: ['first.jwt.token', 'second.jwt.token'] });
    const signedIn = identity({ ARM_USE_OIDC: '1', ARM_CLIENT_ID: CLIENT_ID, ARM_OIDC_TOKEN_FILE_PATH: 'token' });
    expect(await signedIn.token(HOME, endpoints)).toBe(double.tokenFor(HOME));
    writeFileSync(join(dir, 'token'), 'second.jwt.token');
    expect(await signedIn.token(CUSTOMER, endpoints)).toBe(double.tokenFor(CUSTOMER));
  }, 20_000);

  test('without other credentials the Azure CLI gives the token, asked per tenant', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'az'),
      `#!/bin/sh\necho "$@" >> '${join(dir, 'az.log')}'\ntenant=$(echo "$@" | sed -n 's/.*--tenant \\([^ ]*\\).*/\\1/p')\nprintf '{"accessToken":"double-token.%s","expiresOn":"2099-01-01 00:00:00.000000","expires_on":4070908800,"tokenType":"Bearer"}' "$tenant"\n`,
    );
    chmodSync(join(bin, 'az'), 0o755);
    // @azure/identity starts az with the process's own environment, which jest's process.env (a copy)
    // does not reach: the sign-in runs in a process of its own, with the stand-in first on PATH.
    const lib = (file: string) => JSON.stringify(join(REPO_ROOT, 'lib', file));
    const script = [
      `const { graphIdentityFromEnvironment } = require(${lib('audit/graph-credentials')});`,
      `const { graphEndpoints } = require(${lib('audit/graph-endpoints')});`,
      `const { CLOUDS } = require(${lib('construct/cloud')});`,
      `const signedIn = graphIdentityFromEnvironment({}, { cwd: ${JSON.stringify(dir)}, timeoutMs: 10000 });`,
      `signedIn.token(${JSON.stringify(CUSTOMER)}, graphEndpoints(CLOUDS.public, {})).then((token) => process.stdout.write(signedIn.description + '\\n' + token));`,
    ].join('\n');
    const out = execFileSync(process.execPath, ['--require', join(REPO_ROOT, 'bin/register-ts.js'), '-e', script], {
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(out).toBe(`Azure CLI (az login)\n${double.tokenFor(CUSTOMER)}`);
    expect(readFileSync(join(dir, 'az.log'), 'utf8')).toBe(`account get-access-token --output json --resource https://graph.microsoft.com --tenant ${CUSTOMER}\n`);
  }, 30_000);

  test.each([
    [{ ARM_CLIENT_SECRET: SECRET }, 'ARM_CLIENT_SECRET is set, but ARM_CLIENT_ID is not: set it to the application (client) ID of the identity'],
    [{ ARM_CLIENT_ID: 'plan-identity', ARM_CLIENT_SECRET: SECRET }, 'ARM_CLIENT_ID must be an application (client) ID, a GUID; got "plan-identity"'],
    [{ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: CLIENT_ID }, /^ARM_USE_OIDC is true, but there is no OIDC token: .* permissions: id-token: write/],
    [{ ARM_USE_OIDC: 'yes please', ARM_CLIENT_ID: CLIENT_ID }, 'ARM_USE_OIDC must be true or false; got "yes please"'],
    [{ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: CLIENT_ID, ACTIONS_ID_TOKEN_REQUEST_URL: 'http://token.example/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' }, /^ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL \(http only on a loopback address\)/],
    [{ ARM_USE_MSI: 'true' }, /^ARM_USE_MSI is set, and the audit cannot sign in that way/],
    [{ ARM_USE_CLI: 'false' }, /^no credentials: ARM_USE_CLI is false/],
  ])('%j is refused in one line', async (vars, expected) => {
    const refused = await message(() => identity(vars as NodeJS.ProcessEnv));
    expect(refused.type).toBe('UserError');
    expect(refused.message).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
    expect(refused.message).not.toContain(SECRET);
  });
});

describe('where tokens go: GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST', () => {
  test("each cloud's own Graph and sign-in host, with instance discovery as MSAL does it", () => {
    expect(graphEndpoints(CLOUDS.usgovernment, {})).toEqual({
      graph: 'https://graph.microsoft.us',
      cloudGraph: 'https://graph.microsoft.us',
      scope: 'https://graph.microsoft.us/.default',
      authorityHost: 'https://login.microsoftonline.us',
      disableInstanceDiscovery: false,
      overrides: [],
    });
    expect(graphEndpoints(CLOUDS.china, {}).graph).toBe('https://microsoftgraph.chinacloudapi.cn');
  });

  test('an override is named in the report, instance discovery is off only for a host that is no national cloud’s, and the token stays for the real Graph', () => {
    const proxied = graphEndpoints(CLOUDS.public, { GRAPH_ENDPOINT: 'https://graph-proxy.contoso.example/graph/', AZURE_AUTHORITY_HOST: 'https://login-proxy.contoso.example' });
    expect(proxied).toEqual({
      graph: 'https://graph-proxy.contoso.example/graph',
      cloudGraph: 'https://graph.microsoft.com',
      scope: 'https://graph.microsoft.com/.default',
      authorityHost: 'https://login-proxy.contoso.example',
      disableInstanceDiscovery: true,
      overrides: ['GRAPH_ENDPOINT=https://graph-proxy.contoso.example/graph', 'AZURE_AUTHORITY_HOST=https://login-proxy.contoso.example'],
    });
    expect(graphEndpoints(CLOUDS.public, { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/' }).disableInstanceDiscovery).toBe(false);
  });

  test.each([
    [{ GRAPH_ENDPOINT: 'http://graph.example' }, 'GRAPH_ENDPOINT must be an https URL (http only on a loopback address, such as http://127.0.0.1:8080), with no user name, password, query or fragment; got "http://graph.example"'],
    [{ GRAPH_ENDPOINT: 'https://admin:hunter2@graph.example' }, 'GRAPH_ENDPOINT must be an https URL (http only on a loopback address, such as http://127.0.0.1:8080), with no user name, password, query or fragment; it holds a user name or password (not shown)'],
    [{ GRAPH_ENDPOINT: 'https://graph.example/?x=1' }, /^GRAPH_ENDPOINT must be an https URL/],
    // Not a URL at all, and still its password is not shown; nor is a megabyte of it.
    [{ GRAPH_ENDPOINT: 'https://admin:hunter2@graph proxy.example' }, /; got "https:\/\/\*\*\*@graph proxy\.example"$/],
    [{ GRAPH_ENDPOINT: `https://${'x'.repeat(300)}.example:99999` }, /; got "https:\/\/x{69}\.\.\."$/],
    [{ GRAPH_ENDPOINT: 'file:///etc/passwd' }, /^GRAPH_ENDPOINT must be an https URL/],
    [{ AZURE_AUTHORITY_HOST: 'http://127.0.0.1:9' }, 'AZURE_AUTHORITY_HOST must be an https URL with no path, with no user name, password, query or fragment; got "http://127.0.0.1:9"'],
    [{ AZURE_AUTHORITY_HOST: 'https://login.example/tenant' }, /^AZURE_AUTHORITY_HOST must be an https URL with no path/],
  ])('%j is refused', (vars, expected) => {
    expect(() => graphEndpoints(CLOUDS.public, vars)).toThrow(UserError);
    expect(() => graphEndpoints(CLOUDS.public, vars)).toThrow(expected);
    expect(() => graphEndpoints(CLOUDS.public, vars)).not.toThrow(/hunter2/);
  });

  test('plain http is allowed for GRAPH_ENDPOINT on a loopback address only', () => {
    expect(graphEndpoints(CLOUDS.public, { GRAPH_ENDPOINT: 'http://127.0.0.1:8080' }).graph).toBe('http://127.0.0.1:8080');
    expect(graphEndpoints(CLOUDS.public, { GRAPH_ENDPOINT: 'http://[::1]:8080' }).graph).toBe('http://[::1]:8080');
    expect(() => graphEndpoints(CLOUDS.public, { GRAPH_ENDPOINT: 'http://127.0.0.1.evil.example' })).toThrow(UserError);
  });
});
