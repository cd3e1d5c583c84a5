import { defineEnvironment } from '../lib/environment/environment';
import { environment, parse, problemsOf, validInput, TENANT } from './support/builders';

const FILE = 'environments/test.ts';

describe('a valid environment', () => {
  test('gets the article defaults', () => {
    const env = environment();
    expect(env).toMatchObject({
      name: 'test',
      file: FILE,
      tenantId: TENANT,
      displayName: 'VB365 Restore Portal',
      redirectUris: ['https://restore.example.com:4443'],
      owners: [],
    });
    expect(env.cloud.name).toBe('public');
    expect(env.certificates).toHaveLength(1);
  });

  test('defineEnvironment returns its input unchanged', () => {
    const input = validInput() as any;
    expect(defineEnvironment(input)).toBe(input);
  });

  test('gets a scope ID derived from its name, the same on every run', () => {
    expect(environment().scopeId).toBe(environment().scopeId);
    expect(environment().scopeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(environment({}, 'prod').scopeId).not.toBe(environment({}, 'staging').scopeId);
  });

  test('keeps a pinned scope ID, in lower case', () => {
    expect(environment({ scopeId: 'ABCDEF01-2345-6789-ABCD-EF0123456789' }).scopeId).toBe('abcdef01-2345-6789-abcd-ef0123456789');
  });

  test('accepts http://localhost for a test portal', () => {
    expect(environment({ redirectUris: ['http://localhost:4443'] }).redirectUris).toEqual(['http://localhost:4443']);
  });

  test('accepts 256 redirect URIs, Entra\'s maximum', () => {
    const uris = Array.from({ length: 256 }, (_, i) => `https://restore${i}.example.com:4443`);
    expect(environment({ redirectUris: uris }).redirectUris).toHaveLength(256);
  });
});

describe('the deploying identity', () => {
  const DEPLOYER = 'DDDDDDDD-0000-4000-8000-00000000000D';
  const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
  const warningsOf = (input: Record<string, unknown>) => parse(validInput(input), { name: 'prod' }).warnings.map((w) => `${w.path}: ${w.message}`);

  test('is an object ID, kept in lower case', () => {
    expect(environment({ deployingIdentityObjectId: DEPLOYER }).deployingIdentityObjectId).toBe(DEPLOYER.toLowerCase());
  });

  test('is warned about when missing from an environment CI deploys (remote state)', () => {
    expect(warningsOf({ backend: AZURERM })).toEqual([
      expect.stringMatching(/^deployingIdentityObjectId: is not set: .*with Application\.ReadWrite\.OwnedBy cannot change it after the first apply\. Set it to the object ID/),
    ]);
    expect(warningsOf({ backend: { type: 'cloud', organization: 'contoso', workspace: 'prod' } }).map((w) => w.split(':')[0])).toEqual(['deployingIdentityObjectId']);
    expect(warningsOf({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER })).toEqual([]);
    expect(warningsOf({}).map((w) => w.split(':')[0])).toEqual(['backend']);
  });

  test('is warned about when also listed in owners of a registration it creates, where adding it again fails the first apply', () => {
    const owners = ['aaaaaaaa-0000-4000-8000-00000000000a', DEPLOYER];
    expect(warningsOf({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER.toLowerCase(), owners })).toEqual([
      expect.stringMatching(/^owners\[1\]: is the deploying identity \(deployingIdentityObjectId\): Entra makes it the owner of the registration it creates, and adding it again fails the first apply; leave it out of owners/),
    ]);
    expect(warningsOf({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER, owners: [owners[0]] })).toEqual([]);
  });

  test('must be a GUID, and not the tenant ID', () => {
    expect(problemsOf(validInput({ deployingIdentityObjectId: 'restore-portal-deploy' }))).toEqual([
      `${FILE}: deployingIdentityObjectId: must be the object ID of the deploying identity's service principal, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "restore-portal-deploy"`,
    ]);
    expect(problemsOf(validInput({ deployingIdentityObjectId: TENANT }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: deployingIdentityObjectId: is the tenant ID; give the object ID of the deploying identity's service principal/),
    ]);
  });
});

describe('bad input is reported with file, field path and what is allowed', () => {
  test('a tenant ID that is not a GUID', () => {
    expect(problemsOf(validInput({ tenantId: 'contoso.onmicrosoft.com' }))).toEqual([
      `${FILE}: tenantId: must be the tenant ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "contoso.onmicrosoft.com"`,
    ]);
  });

  test('missing required fields', () => {
    expect(problemsOf({})).toEqual([
      `${FILE}: tenantId: is required`,
      `${FILE}: redirectUris: is required`,
      `${FILE}: certificates: is required`,
    ]);
  });

  test('a default export that is not an object', () => {
    expect(problemsOf('prod')).toEqual([`${FILE}: must be an object; got "prod"`]);
  });

  test('misspelt fields, with the field meant', () => {
    expect(problemsOf(validInput({ redirectUri: ['https://x.example.com'], displayname: 'x' }))).toEqual([
      `${FILE}: redirectUri: unknown field; did you mean "redirectUris"?`,
      `${FILE}: displayname: unknown field; did you mean "displayName"?`,
    ]);
  });

  test('unknown fields with nothing close, listing the allowed ones', () => {
    expect(problemsOf(validInput({ backupServer: 'vbo01' }))[0]).toMatch(/backupServer: unknown field; allowed: tenantId, redirectUris, certificates/);
  });

  test('unknown fields inside a certificate entry', () => {
    expect(problemsOf(validInput({ certificates: [{ source: 'file', path: 'certs/valid.cer', pth: 'x' }] }))).toEqual([
      `${FILE}: certificates[0].pth: unknown field; did you mean "path"?`,
    ]);
  });

  test.each([
    ['http://restore.example.com:4443', 'must use https (Entra allows http only for http://localhost)'],
    ['http://[::1]:4443', 'must use https (Entra allows http only for http://localhost)'],
    ['https://*.example.com:4443', 'wildcards are not allowed by Entra'],
    ['https://restore.example.com:4443/#/home', 'must not contain a fragment'],
    ['restore.example.com:4443', 'must be an https URL of the Restore Portal'],
    ['not a url', 'must not contain spaces'],
    ['//restore.example.com', 'is not an absolute URL'],
    ['ftp://restore.example.com', 'must be an https URL of the Restore Portal'],
    ["https://restore.example.com/it's", 'contains "\'", which Entra does not allow'],
    [`https://restore.example.com/${'a'.repeat(240)}`, 'must be at most 256 characters (Entra\'s limit); got 268'],
    ['', 'must be a non-empty string URL'],
    [4443, 'must be a non-empty string URL; got number 4443'],
  ])('redirect URI %j', (uri, message) => {
    const problems = problemsOf(validInput({ redirectUris: ['https://ok.example.com:4443', uri] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: redirectUris[1]: ${message}`);
  });

  test('duplicate redirect URIs', () => {
    expect(problemsOf(validInput({ redirectUris: ['https://a.example.com:4443', 'https://a.example.com:4443'] }))).toEqual([
      `${FILE}: redirectUris[1]: duplicates redirectUris[0] ("https://a.example.com:4443"); list each address once`,
    ]);
  });

  test('no redirect URIs, or not a list', () => {
    expect(problemsOf(validInput({ redirectUris: [] }))[0]).toContain('redirectUris: must list at least one address');
    expect(problemsOf(validInput({ redirectUris: 'https://a.example.com' }))[0]).toContain('redirectUris: must be an array');
  });

  test('more than 256 redirect URIs', () => {
    const uris = Array.from({ length: 257 }, (_, i) => `https://restore${i}.example.com:4443`);
    expect(problemsOf(validInput({ redirectUris: uris }))).toEqual([
      `${FILE}: redirectUris: Entra allows at most 256 redirect URIs; got 257`,
    ]);
  });

  test('no certificates', () => {
    expect(problemsOf(validInput({ certificates: [] }))).toEqual([
      `${FILE}: certificates: must list at least one certificate: VB365 signs in to Entra with its private key`,
    ]);
  });

  test('an unknown certificate source', () => {
    expect(problemsOf(validInput({ certificates: [{ source: 'keyvault', path: 'x' }] }))).toEqual([
      `${FILE}: certificates[0].source: must be one of "file", "selfSigned"; got "keyvault"`,
    ]);
  });

  test('the same certificate twice, even in another encoding', () => {
    const problems = problemsOf(
      validInput({ certificates: [{ source: 'file', path: 'certs/valid.cer' }, { source: 'file', path: 'certs/valid.der.cer' }] }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/certificates\[1\]: is the same certificate \(thumbprint [0-9A-F]{40}\) as certificates\[0\]/);
  });

  test('owners that are not object IDs, or repeated', () => {
    const owner = 'aaaaaaaa-0000-0000-0000-000000000001';
    expect(problemsOf(validInput({ owners: ['alice@contoso.com', owner, owner] }))).toEqual([
      `${FILE}: owners[0]: must be an object ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "alice@contoso.com"`,
      `${FILE}: owners[2]: lists ${owner} a second time; list each owner once`,
    ]);
  });

  test('an unknown cloud', () => {
    expect(problemsOf(validInput({ cloud: 'germany' }))).toEqual([
      `${FILE}: cloud: must be one of "public", "usgovernment", "china"; got "germany"`,
    ]);
  });

  test('a display name over Entra\'s 256 characters', () => {
    expect(problemsOf(validInput({ displayName: 'x'.repeat(257) }))).toEqual([
      `${FILE}: displayName: must be at most 256 characters; got 257`,
    ]);
  });

  test('a scope ID that is not a GUID and empty consent texts', () => {
    expect(problemsOf(validInput({ scopeId: 42, consentTexts: { userConsentDescription: '' } }))).toEqual([
      `${FILE}: scopeId: must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got number 42`,
      `${FILE}: consentTexts.userConsentDescription: must be a non-empty string; got ""`,
    ]);
  });

  test('a file name that cannot be a stack name', () => {
    expect(problemsOf(validInput(), { name: 'prod env' })).toEqual([
      'environments/prod env.ts: the file name "prod env" is used as the stack name: start with a letter or digit, then letters, digits, "-" and "_" (at most 63 in all)',
    ]);
  });

  test('a file name of only allowed characters that starts with "-" is told what is wrong with it', () => {
    expect(problemsOf(validInput(), { name: '-rf' })).toEqual([
      'environments/-rf.ts: the file name "-rf" is used as the stack name: start with a letter or digit, then letters, digits, "-" and "_" (at most 63 in all)',
    ]);
  });

  test('every problem at once', () => {
    const problems = problemsOf({ tenantId: 'x', redirectUris: ['http://a'], certificates: [{ source: 'file', path: 'certs/missing.cer' }] });
    expect(problems.map((p) => p.split(': ')[1])).toEqual(['tenantId', 'redirectUris[0]', 'certificates[0].path']);
  });

  test('validation does not depend on declared types', () => {
    const result = parse({ ...validInput(), redirectUris: [null] });
    expect(result.environment).toBeUndefined();
    expect(result.problems.map((p) => p.path)).toEqual(['redirectUris[0]']);
  });
});
