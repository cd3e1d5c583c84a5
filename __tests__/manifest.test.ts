import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { isWrittenManifest, manifestIdentity, manifestOf, manifestWarnings, parseManifest, readManifestFile, writeManifestFile } from '../lib/doctor/manifest';
import { formatProblem } from '../lib/process/problem';
import { environment, fileCertificates } from './support/builders';
import { ARTICLE_MANIFEST, CLIENT_ID, graphManifest, modelOf, OBJECT_ID } from './support/manifests';

const dir = mkdtempSync(join(tmpdir(), 'manifest-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemOf(text: string): string {
  const result = parseManifest(text);
  if ('manifest' in result) throw new Error('parsed as a manifest');
  return result.problem;
}

describe('reading manifests', () => {
  test("reads the article's Appendix A manifest in the Azure AD Graph format", () => {
    const manifest = readManifestFile(ARTICLE_MANIFEST);
    expect(manifest.format).toBe('azure-ad-graph');
    expect(manifest.displayName).toEqual({ path: 'name', value: 'VB365 Restore Portal' });
    expect(manifest.fallbackPublicClient).toEqual({ path: 'allowPublicClient', value: true });
    expect(manifest.redirectUris).toEqual([
      { path: 'replyUrlsWithType[0].url', value: '', type: 'Spa' },
      { path: 'replyUrlsWithType[1].url', value: 'https://restore.internal.veeam.lab:4443', type: 'Spa' },
      { path: 'replyUrlsWithType[2].url', value: 'https://ANYTHING.veeam.lab:4443', type: 'Spa' },
    ]);
    expect(manifest.scopes.map((s) => [s.path, s.value, s.type])).toEqual([['oauth2Permissions[0]', 'access_as_user', 'Admin']]);
    expect(manifest.keyCredentials[0]).toMatchObject({ endDate: '2032-05-01T13:40:24Z', names: { endDate: 'endDate' } });
  });

  test('reads the Microsoft Graph format into the same model, with its own field names', () => {
    const manifest = modelOf(graphManifest());
    expect(manifest.format).toBe('microsoft-graph');
    expect(manifest.clientId).toEqual({ path: 'appId', value: CLIENT_ID });
    expect(manifest.fallbackPublicClient.path).toBe('isFallbackPublicClient');
    expect(manifest.implicitIdToken).toEqual({ path: 'web.implicitGrantSettings.enableIdTokenIssuance', value: false });
    expect(manifest.redirectUris).toEqual([{ path: 'spa.redirectUris[0]', value: 'https://restore.example.com:4443', type: 'Spa' }]);
    expect(manifest.keyCredentials[0].names.endDate).toBe('endDateTime');
  });

  test('takes a certificate thumbprint from customKeyIdentifier in hex or base64, and from the certificate when present', () => {
    const thumbprint = fileCertificates(environment())[0].thumbprint;
    const hex = graphManifest();
    hex.keyCredentials[0].key = null;
    hex.keyCredentials[0].customKeyIdentifier = thumbprint.toLowerCase();
    const base64 = graphManifest();
    base64.keyCredentials[0].key = null;
    const embedded = graphManifest();
    embedded.keyCredentials[0].customKeyIdentifier = null;
    for (const manifest of [hex, base64, embedded]) expect(modelOf(manifest).keyCredentials[0].thumbprint).toBe(thumbprint);
  });

  test('reads a list that is not a list as empty and remembers where it was', () => {
    const manifest = graphManifest();
    manifest.spa.redirectUris = 'https://restore.example.com:4443';
    const model = modelOf(manifest);
    expect(model.redirectUris).toEqual([]);
    expect(model.malformed).toEqual([{ path: 'spa.redirectUris', value: 'https://restore.example.com:4443' }]);
  });
});

describe('files that are not manifests', () => {
  test('say where the JSON breaks, on one line', () => {
    expect(problemOf('{\n  "appId": "x",\n  "api": {},\n}')).toBe(
      "is not valid JSON at line 4, column 1: a comma before '}': JSON allows none after the last property",
    );
    // Never quoting the file: a manifest or a saved plan can hold secrets, and the line lands in CI logs.
    expect(problemOf('{\n  "appId": "x",\n  "api" {}\n}')).toBe("is not valid JSON at line 3, column 9: expected ':' after the property name");
  });

  test('recognise the typographic quotes of a manifest copied from the article', () => {
    expect(problemOf('{ “id”: “ANYTHING” }')).toBe(
      'is not valid JSON: it uses typographic quotes (“ ”) where JSON needs straight quotes ("), as when copied from a web page',
    );
  });

  test('name what they are instead', () => {
    expect(problemOf('[]')).toBe('holds a JSON list; give the manifest of one application (a JSON object)');
    expect(problemOf('"text"')).toBe('is not an application manifest: expected a JSON object, got "text"');
    expect(problemOf('{"name": "package", "version": "1.0.0"}')).toMatch(/^is not an application manifest: it has none of the fields/);
    expect(problemOf('{"api": {}, "oauth2Permissions": []}')).toBe(
      'mixes the Microsoft Graph format (api) and the Azure AD Graph format (oauth2Permissions); download the manifest again',
    );
  });

  test('accept the byte order mark some editors write', () => {
    expect(parseManifest(`\uFEFF${JSON.stringify(graphManifest())}`)).toHaveProperty('manifest');
  });

  test('are reported as one line naming the file', () => {
    const missing = join(dir, 'missing.json');
    expect(() => readManifestFile(missing)).toThrow(new UserError(`${missing}: file not found`));
    expect(() => readManifestFile(dir)).toThrow(new UserError(`${dir}: is a folder, not a file`));
    const empty = fileWith('empty.json', '');
    expect(() => readManifestFile(empty)).toThrow(new UserError(`${empty}: is not valid JSON: it is empty`));
  });
});

describe('writing the manifest of an environment', () => {
  const env = environment({ displayName: 'Restore Portal (Contoso)' });
  const manifest = manifestOf(env, { clientId: CLIENT_ID, objectId: OBJECT_ID }) as Record<string, any>;

  test('describes the registration the stack deploys, in the Microsoft Graph format', () => {
    expect(manifest).toMatchObject({
      id: OBJECT_ID,
      appId: CLIENT_ID,
      displayName: 'Restore Portal (Contoso)',
      signInAudience: 'AzureADMultipleOrgs',
      identifierUris: [`api://${CLIENT_ID}`],
      isFallbackPublicClient: true,
      spa: { redirectUris: ['https://restore.example.com:4443'] },
      web: { redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
      api: {
        requestedAccessTokenVersion: 1,
        oauth2PermissionScopes: [{ id: env.scopeId, value: 'access_as_user', type: 'Admin', isEnabled: true }],
        preAuthorizedApplications: [{ appId: CLIENT_ID, delegatedPermissionIds: [env.scopeId] }],
      },
      requiredResourceAccess: [
        { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] },
        { resourceAppId: CLIENT_ID, resourceAccess: [{ id: env.scopeId, type: 'Scope' }] },
      ],
    });
  });

  test('carries each public certificate with its dates, and nothing private', () => {
    const certificate = fileCertificates(env)[0];
    expect(manifest.keyCredentials).toEqual([
      {
        customKeyIdentifier: Buffer.from(certificate.thumbprint, 'hex').toString('base64'),
        displayName: 'CN=restore.test.example',
        startDateTime: '2026-11-27T20:10:01Z',
        endDateTime: '2036-11-24T20:10:01Z',
        key: certificate.pem.replace(/-----[A-Z ]+-----|\s/g, ''),
        keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
      },
    ]);
    expect(JSON.stringify(manifest)).not.toMatch(/PRIVATE|password/i);
  });

  test('keeps the key IDs and object ID of an adopted registration', () => {
    const keyId = '66666666-aaaa-4bbb-8ccc-000000000001';
    const adopted = environment({
      adopt: {
        applicationObjectId: OBJECT_ID,
        clientId: CLIENT_ID,
        scopeId: '44444444-aaaa-4bbb-8ccc-000000000001',
        servicePrincipalObjectId: '55555555-aaaa-4bbb-8ccc-000000000001',
        certificateKeyIds: { [fileCertificates(env)[0].thumbprint]: keyId },
      },
    });
    expect(manifestIdentity(adopted, undefined)).toEqual({ clientId: CLIENT_ID, objectId: OBJECT_ID });
    expect((manifestOf(adopted, manifestIdentity(adopted, undefined)) as any).keyCredentials[0].keyId).toBe(keyId);
    expect(() => manifestIdentity(adopted, '99999999-aaaa-4bbb-8ccc-000000000001')).toThrow(
      `--client-id 99999999-aaaa-4bbb-8ccc-000000000001 differs from adopt.clientId ${CLIENT_ID} in environments/test.ts; leave --client-id out`,
    );
  });

  test('needs the Application ID of a registration that is not adopted', () => {
    expect(() => manifestIdentity(env, undefined)).toThrow(/^environments\/test\.ts describes a registration that does not exist yet/);
    expect(() => manifestIdentity(env, 'abc')).toThrow('--client-id must be an Application (client) ID, a GUID; got "abc"');
    expect(manifestIdentity(env, CLIENT_ID.toUpperCase())).toEqual({ clientId: CLIENT_ID });
  });

  test('writes the file whole, or says why it cannot', () => {
    const file = join(dir, 'test.manifest.json');
    writeManifestFile(file, manifest);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(manifest);
    mkdirSync(join(dir, 'taken.json'));
    expect(() => writeManifestFile(join(dir, 'taken.json'), manifest)).toThrow(UserError);
  });

  test('knows a manifest it wrote by its shape: exactly the fields it writes, which no download from Entra has', () => {
    expect(isWrittenManifest(JSON.parse(JSON.stringify(manifest)))).toBe(true);
    expect(isWrittenManifest(JSON.parse(JSON.stringify(manifestOf(env, { clientId: CLIENT_ID }))))).toBe(true);
    expect(isWrittenManifest(graphManifest())).toBe(false);
    expect(isWrittenManifest(JSON.parse(readFileSync(ARTICLE_MANIFEST, 'utf8')))).toBe(false);
  });

  test('never replaces a manifest downloaded from Entra, nor another file, unless forced; replaces its own', () => {
    const downloaded = fileWith('prod.manifest.json', JSON.stringify(graphManifest(), null, 2));
    const before = readFileSync(downloaded, 'utf8');
    expect(() => writeManifestFile(downloaded, manifest, 'prod.manifest.json')).toThrow(
      new UserError('--out prod.manifest.json: is there and was not written by npm run manifest (a manifest downloaded from Entra, or another file); refusing to replace it: give another file, or pass --force to replace it'),
    );
    expect(readFileSync(downloaded, 'utf8')).toBe(before);
    writeManifestFile(downloaded, manifest, 'prod.manifest.json', { force: true });
    expect(JSON.parse(readFileSync(downloaded, 'utf8'))).toEqual(manifest);
    // Now it is one this command wrote: written again without --force.
    writeManifestFile(downloaded, { ...manifest, displayName: 'again' }, 'prod.manifest.json');
    expect(JSON.parse(readFileSync(downloaded, 'utf8')).displayName).toBe('again');
    expect(() => writeManifestFile(dir, manifest, 'out', { force: true })).toThrow(new UserError('--out out: is not a regular file; refusing to replace it: give another file'));
  });

  test('says, for an environment with self-signed certificates, that the manifest has no key credential for them', () => {
    const lab = environment({ certificates: [{ source: 'selfSigned', name: 'current' }] }, 'lab');
    expect((manifestOf(lab, { clientId: CLIENT_ID }) as Record<string, any>).keyCredentials).toEqual([]);
    expect(manifestWarnings(lab).map(formatProblem)).toEqual([
      'environments/lab.ts: certificates[0]: self-signed certificate "current" is made by Terraform, so the manifest has no key credential for it: a registration applied by hand needs a certificate file ({ source: "file", path }) whose private key VB365 holds',
      'environments/lab.ts: certificates: the manifest has no certificate at all (keyCredentials is []): VB365 cannot sign in with it, and npm run doctor reports it as a problem, until one is added',
    ]);
    expect(manifestWarnings(env)).toEqual([]);
  });
});
