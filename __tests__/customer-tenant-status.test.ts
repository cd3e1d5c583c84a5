import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorsFor, UserError } from '../lib/process/command-line';
import { customerTenantsReport, formatCustomerTenants, parseTenantsArguments, tenantsCommand } from '../lib/tenants/customer-tenant-status';
import { loadEnvironments } from '../lib/environment/environment-files';
import { GraphDouble } from './support/graph-double';
import { applyRegistration, doubleIdentity } from './support/graph-registration';
import { CONTOSO, FABRIKAM, TENANT, TestProject, validInput } from './support/builders';
import { onCleanUp } from './support/clean-up';
import { runCommandIn } from './support/commands';
import { standInTerraform } from './support/plans';
import { PROCESS_TIMEOUT } from './support/timeouts';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const NORTHWIND = { name: 'northwind', tenantId: '0e0e0e0e-0000-4000-8000-000000000003' };
const CLIENT_ID = '0d3f5a6b-1111-4222-8333-444455556666';
/** `terraform output -json` of a deployed environment stack (the outputs read, and one more). */
const HOME_OUTPUTS = {
  application_id: { sensitive: false, type: 'string', value: CLIENT_ID },
  tenant_id: { sensitive: false, type: 'string', value: TENANT },
  identifier_uri: { sensitive: false, type: 'string', value: `api://${CLIENT_ID}` },
};
const DEPLOYED_TENANT_OUTPUTS = { service_principal_object_id: { sensitive: false, type: 'string', value: '5a5a5a5a-0000-4000-8000-000000000009' } };

describe('npm run tenants', () => {
  const project = new TestProject();
  const terraform = standInTerraform();
  const env = { PATH: `${terraform.dir}:/usr/bin:/bin` };
  const stackFile = (stack: string, file: string) => join(project.root, 'cdktf.out/stacks', stack, file);
  const writeJson = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value));

  // contoso is deployed, fabrikam only synthesized, northwind added to the file after the last synth.
  project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO, FABRIKAM] }));
  project.synth();
  // Environment files are modules: jest's registry would keep the version synth read.
  jest.resetModules();
  project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO, FABRIKAM, NORTHWIND] }));
  writeJson(stackFile('prod-tenant-contoso', 'fake-outputs.json'), DEPLOYED_TENANT_OUTPUTS);
  writeJson(stackFile('prod-tenant-fabrikam', 'fake-outputs.json'), {});
  const savedOutputs = join(project.root, 'outputs.json');
  writeJson(savedOutputs, HOME_OUTPUTS);

  const report = (overrides: { environment?: string; outputsFile?: string } = {}) =>
    customerTenantsReport({ projectRoot: project.root, environment: 'prod', cwd: project.root, env, ...overrides });
  const command = async (argv: string[]) => {
    let stdout = '';
    const code = await tenantsCommand(argv, { stdout: { write: (text: string) => (stdout += text) }, projectRoot: project.root, cwd: project.root, env });
    return { code, stdout };
  };
  beforeEach(() => writeJson(stackFile('prod', 'fake-outputs.json'), HOME_OUTPUTS));
  afterAll(() => {
    project.remove();
    rmSync(terraform.dir, { recursive: true, force: true });
  });

  test("give each tenant's admin consent URL, with the client ID from the environment's Terraform outputs", async () => {
    const result = await report();
    expect(result).toMatchObject({ environment: 'prod', clientId: CLIENT_ID, clientIdSource: 'terraform output of prod' });
    expect(result.organizationsConsentUrl).toBe(`https://login.microsoftonline.com/organizations/adminconsent?client_id=${CLIENT_ID}`);
    expect(result.tenants.map((t) => [t.stack, t.adminConsentUrl])).toEqual([
      ['prod-tenant-contoso', `https://login.microsoftonline.com/${CONTOSO.tenantId}/adminconsent?client_id=${CLIENT_ID}`],
      ['prod-tenant-fabrikam', `https://login.microsoftonline.com/${FABRIKAM.tenantId}/adminconsent?client_id=${CLIENT_ID}`],
      ['prod-tenant-northwind', `https://login.microsoftonline.com/${NORTHWIND.tenantId}/adminconsent?client_id=${CLIENT_ID}`],
    ]);
  }, PROCESS_TIMEOUT);

  test('say whether each tenant stack is synthesized and deployed', async () => {
    expect((await report()).tenants.map((t) => [t.name, t.synthesized, t.deployed, t.unknownBecause])).toEqual([
      ['contoso', true, true, undefined],
      ['fabrikam', true, false, undefined],
      ['northwind', false, undefined, undefined],
    ]);
  }, PROCESS_TIMEOUT);

  test("show why a tenant stack's state is unknown with terraform's control characters escaped", async () => {
    let stdout = '';
    const hostile = { ...env, FAKE_TERRAFORM_OUTPUT_ERROR: 'state says \u001b[2J\u202eevil' };
    const io = { stdout: { write: (text: string) => (stdout += text) }, projectRoot: project.root, cwd: project.root, env: hostile };
    expect(await tenantsCommand(['prod', '--outputs', savedOutputs], io)).toBe(0);
    expect(stdout).toContain('state says \\u001b[2J\\u202eevil');
    expect(stdout).not.toMatch(/[\u001b\u202e]/);
  }, PROCESS_TIMEOUT);

  test("read the tenant stacks' states side by side, not one after another", async () => {
    const timeline = join(terraform.dir, 'timeline.log');
    rmSync(timeline, { force: true });
    await customerTenantsReport({ projectRoot: project.root, environment: 'prod', cwd: project.root, env: { ...env, FAKE_TERRAFORM_OUTPUT_SLEEP: '0.3' } });
    // The environment's outputs first (the client ID), then both synthesized tenant stacks at once.
    const events = readFileSync(timeline, 'utf8').trim().split('\n');
    expect(events.slice(0, 2)).toEqual(['start prod', 'end prod']);
    expect(events.slice(2, 4).sort()).toEqual(['start prod-tenant-contoso', 'start prod-tenant-fabrikam']);
    rmSync(timeline);
  }, PROCESS_TIMEOUT);

  test('say the client ID is unknown until the environment is deployed, and why', async () => {
    rmSync(stackFile('prod', 'fake-outputs.json'));
    const unknown = await report();
    expect(unknown.clientId).toBeUndefined();
    expect(unknown.clientIdSource).toBe(
      'unknown until prod is deployed (prod: its stack folder is not initialized (npm run plan runs terraform init there); or give --outputs)',
    );
    expect(unknown.tenants.map((t) => t.adminConsentUrl)).toEqual([undefined, undefined, undefined]);
    writeJson(stackFile('prod', 'fake-outputs.json'), {});
    expect((await report()).clientIdSource).toBe('unknown until prod is deployed (its state has no application yet)');
  }, PROCESS_TIMEOUT);

  test('take the client ID from a saved terraform output -json instead', async () => {
    rmSync(stackFile('prod', 'fake-outputs.json'));
    await expect(report({ outputsFile: 'outputs.json' })).resolves.toMatchObject({ clientId: CLIENT_ID, clientIdSource: 'outputs.json' });
  }, PROCESS_TIMEOUT);

  test.each([
    ['public', 'login.microsoftonline.com'],
    ['usgovernment', 'login.microsoftonline.us'],
    ['china', 'login.chinacloudapi.cn'],
  ])('use the sign-in host of the %s cloud', async (cloud, host) => {
    project.writeEnvironment(`cloud-${cloud}`, validInput({ cloud, backend: AZURERM, customerTenants: [CONTOSO] }));
    const result = await report({ environment: `cloud-${cloud}`, outputsFile: 'outputs.json' });
    expect(result.tenants[0].adminConsentUrl).toBe(`https://${host}/${CONTOSO.tenantId}/adminconsent?client_id=${CLIENT_ID}`);
  });

  test.each([
    ['missing.json', undefined, 'missing.json: file not found'],
    ['broken.json', '{ "application_id": ', 'broken.json: is not valid JSON at line 1, column 21: the text ends before the JSON is complete; expected what `terraform output -json` prints: { "<output>": { "value": ... } }'],
    ['plan.json', JSON.stringify({ format_version: '1.2' }), 'plan.json: output "format_version" has no "value"; expected what `terraform output -json` prints: { "<output>": { "value": ... } }'],
    ['other.json', JSON.stringify({ ...HOME_OUTPUTS, tenant_id: { value: CONTOSO.tenantId } }), `other.json: belongs to tenant ${CONTOSO.tenantId}, but environments/prod.ts has tenantId ${TENANT}; use the outputs of prod (terraform -chdir=cdktf.out/stacks/prod output -json)`],
    ['staging.json', JSON.stringify({ ...HOME_OUTPUTS, environment: { value: 'staging' } }), 'staging.json: belongs to environment staging (its environment output), not prod; use the outputs of prod'],
    ['empty.json', '{}', 'empty.json: has no application_id output; save the outputs of a deployed environment: terraform -chdir=cdktf.out/stacks/prod output -json > empty.json'],
  ])('refuse --outputs %s in one line', async (file, content, message) => {
    if (content !== undefined) writeFileSync(join(project.root, file), content);
    await expect(report({ outputsFile: file })).rejects.toThrow(UserError);
    await expect(report({ outputsFile: file })).rejects.toThrow(message);
  });

  test('print an aligned table, coloured only on a terminal', async () => {
    const { code, stdout } = await command(['prod']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `prod: 3 customer tenants, application ${CLIENT_ID} (from terraform output of prod)`,
        '  name       tenant ID                             stack                  stack state                      admin consent URL',
        `  contoso    ${CONTOSO.tenantId}  prod-tenant-contoso    deployed                         https://login.microsoftonline.com/${CONTOSO.tenantId}/adminconsent?client_id=${CLIENT_ID}`,
        `  fabrikam   ${FABRIKAM.tenantId}  prod-tenant-fabrikam   synthesized, not deployed        https://login.microsoftonline.com/${FABRIKAM.tenantId}/adminconsent?client_id=${CLIENT_ID}`,
        `  northwind  ${NORTHWIND.tenantId}  prod-tenant-northwind  not synthesized (npm run synth)  https://login.microsoftonline.com/${NORTHWIND.tenantId}/adminconsent?client_id=${CLIENT_ID}`,
        `  any other organisation: https://login.microsoftonline.com/organizations/adminconsent?client_id=${CLIENT_ID}`,
        '',
      ].join('\n'),
    );
  }, PROCESS_TIMEOUT);

  test('write a markdown table for pull requests and job summaries', async () => {
    const { stdout } = await command(['prod', '--format', 'markdown']);
    expect(stdout).toContain('### Restore Portal customer tenants: `prod`');
    expect(stdout).toContain(
      `| \`contoso\` | \`${CONTOSO.tenantId}\` | \`prod-tenant-contoso\` | deployed | https://login.microsoftonline.com/${CONTOSO.tenantId}/adminconsent?client_id=${CLIENT_ID} |`,
    );
    expect(stdout).toContain('| `northwind` | `0e0e0e0e-0000-4000-8000-000000000003` | `prod-tenant-northwind` | not synthesized (npm run synth) |');
  }, PROCESS_TIMEOUT);

  test('write stable JSON', async () => {
    const json = JSON.parse((await command(['prod', '--format', 'json'])).stdout);
    expect(Object.keys(json)).toEqual(['environment', 'clientId', 'clientIdSource', 'organizationsConsentUrl', 'tenants']);
    expect(json.tenants[1]).toEqual({
      name: 'fabrikam',
      tenantId: FABRIKAM.tenantId,
      stack: 'prod-tenant-fabrikam',
      adminConsentUrl: `https://login.microsoftonline.com/${FABRIKAM.tenantId}/adminconsent?client_id=${CLIENT_ID}`,
      synthesized: true,
      deployed: false,
      unknownBecause: null,
      consented: null,
      consent: null,
    });
  }, PROCESS_TIMEOUT);

  test('with --consent, show each customer as consented or not, from the reads npm run audit makes in its tenant', async () => {
    const double = await new GraphDouble().start();
    onCleanUp(() => double.stop());
    const loaded = loadEnvironments({ projectRoot: project.root, only: ['prod'] }).environments[0];
    const applied = applyRegistration(double, loaded, { clientId: CLIENT_ID });
    const fabrikam = double.tenant(FABRIKAM.tenantId);
    fabrikam.grants.splice(fabrikam.grants.findIndex((g) => g.scope === 'User.Read'), 1);
    const northwind = double.tenant(NORTHWIND.tenantId);
    northwind.servicePrincipals.splice(northwind.servicePrincipals.indexOf(applied.customers.get('northwind')!.servicePrincipal), 1);
    double.tenant(CONTOSO.tenantId).permissions = new Set(['Application.Read.All']);
    const result = await customerTenantsReport({
      projectRoot: project.root,
      environment: 'prod',
      cwd: project.root,
      env: { ...env, GRAPH_ENDPOINT: double.url },
      consent: { identity: doubleIdentity(double) },
    });
    expect(result.tenants.map((t) => [t.name, t.consent])).toEqual([
      ['contoso', { state: expect.stringMatching(/^unknown: the identity may not read the delegated permission grants .*: give it the Microsoft Graph application permission Directory\.Read\.All/) }],
      ['fabrikam', { consented: false, state: 'not consented: admin consent for User.Read missing' }],
      ['northwind', { consented: false, state: 'not consented: no service principal' }],
    ]);
    double.tenant(CONTOSO.tenantId).permissions = new Set(['Directory.Read.All']);
    const text = formatCustomerTenants(
      await customerTenantsReport({ projectRoot: project.root, environment: 'prod', cwd: project.root, env: { ...env, GRAPH_ENDPOINT: double.url }, consent: { identity: doubleIdentity(double) } }),
      'text',
      colorsFor({}),
    );
    expect(text).toMatch(/^ {2}contoso +\S+ +prod-tenant-contoso +deployed +consented +https:/m);
    expect(text).toMatch(/^ {2}fabrikam .* not consented: admin consent for User\.Read missing +https:/m);
  }, PROCESS_TIMEOUT);

  test('say so when the environment lists no customer tenant', async () => {
    project.writeEnvironment('test', validInput({ backend: AZURERM }));
    expect((await command(['test', '--outputs', 'outputs.json'])).stdout).toBe(
      [
        `test: 0 customer tenants, application ${CLIENT_ID} (from outputs.json)`,
        '  no customerTenants in environments/test.ts',
        `  any other organisation: https://login.microsoftonline.com/organizations/adminconsent?client_id=${CLIENT_ID}`,
        '',
      ].join('\n'),
    );
  });
});

describe('tenants arguments', () => {
  test('name one environment, with --format and --outputs', async () => {
    expect(parseTenantsArguments(['prod', '--format', 'json', '--outputs', 'o.json'])).toEqual({ environment: 'prod', format: 'json', outputsFile: 'o.json' });
  });

  test.each([
    [[], /^name the environment$/],
    [['prod', 'test'], /^name one environment; got prod, test$/],
    [['prod', '--format', 'html'], /^--format must be one of text, markdown, json; got "html"$/],
    [['prod', '--output', 'o.json'], /^unknown option --output; did you mean --outputs\?$/],
  ])('refuse %j with a usage message', async (argv, message) => {
    expect(() => parseTenantsArguments(argv)).toThrow(UserError);
    expect(() => parseTenantsArguments(argv)).toThrow(message);
  });

  test('no environment named: the usage follows on a line of its own', () => {
    expect(() => parseTenantsArguments([])).toThrow(expect.objectContaining({ usage: expect.stringMatching(/^npm run tenants -- <environment>/) }));
  });

  test('the command exits 1 with one line and no stack trace on an unknown environment', () => {
    const project = new TestProject();
    project.writeEnvironment('prod', validInput());
    const result = runCommandIn(project, 'tenants', ['nowhere']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: no such environment "nowhere"; the environments are prod\n');
  }, PROCESS_TIMEOUT);

  test('--outputs may name the environment, as in certs, but only the one reported', () => {
    expect(parseTenantsArguments(['prod', '--outputs', 'prod=o.json'])).toMatchObject({ environment: 'prod', outputsFile: 'o.json' });
    expect(() => parseTenantsArguments(['prod', '--outputs', 'test=o.json'])).toThrow(
      new UserError('--outputs test=o.json: names test, but the report is of prod'),
    );
  });
});
