import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironments } from '../lib/environment/environment-files';
import { TENANT, TestProject, validInput } from './support/builders';
import { FORBID_CDKTF, runCommandInBackground } from './support/commands';
import { auditCommand } from '../lib/audit/audit-command';
import { GraphDouble, trustPolicy, type Json } from './support/graph-double';
import { workflowCommands } from './support/workflow-commands';
import { applyRegistration, type AppliedRegistration } from './support/graph-registration';

// The command line itself, end to end: the variables the azuread provider reads, @azure/identity
// signing in at the double's authority (trusted through NODE_EXTRA_CA_CERTS, as a proxy's CA would
// be), Graph read at GRAPH_ENDPOINT, and the exit code. Everything else is tested in-process.
const CLIENT_ID = '0d3f5a6b-1111-4222-8333-944455556666';
const PLAN_IDENTITY = '3c3c3c3c-1111-4222-8333-444455556666';
const SECRET = 'Kx8~plan-identity-secret';

const project = new TestProject();
project.writeEnvironment('prod', validInput({ deployingIdentityObjectId: '9f8e7d6c-1111-4222-8333-444455556666', customerTenants: [{ name: 'contoso', tenantId: 'c0c0c0c0-1111-4222-8333-444455556666' }] }));
writeFileSync(join(project.root, 'prod-outputs.json'), JSON.stringify({ application_id: { value: CLIENT_ID }, tenant_id: { value: TENANT } }));
const double = new GraphDouble();
let applied: AppliedRegistration;

beforeAll(async () => {
  await double.start({ authority: true });
  writeFileSync(join(project.root, 'double-ca.pem'), double.certificatePem);
  double.identities.push({ clientId: PLAN_IDENTITY, secret: SECRET });
  applied = applyRegistration(double, loadEnvironments({ projectRoot: project.root }).environments[0], { clientId: CLIENT_ID });
}, 20_000);
afterAll(async () => {
  await double.stop();
  project.remove();
});

const audit = (...args: string[]) =>
  runCommandInBackground(
    project,
    'audit',
    args,
    {
      ARM_CLIENT_ID: PLAN_IDENTITY,
      ARM_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: double.authority,
      GRAPH_ENDPOINT: double.url,
      NODE_EXTRA_CA_CERTS: join(project.root, 'double-ca.pem'),
    },
    // Reading Graph needs no cdktf: it is never loaded.
    [FORBID_CDKTF],
  );

describe('npm run audit', () => {
  test('signs in with ARM_CLIENT_ID and ARM_CLIENT_SECRET, reads both tenants, and exits 0 when nothing is found, then 2 with the finding', async () => {
    const clean = await audit('prod', '--outputs', 'prod-outputs.json');
    expect(clean.stdout).toContain(`prod: application ${CLIENT_ID} (from prod-outputs.json), read from ${double.url}`);
    expect(clean.stdout).toMatch(/^ {2}customer contoso \(tenant c0c0c0c0-1111-4222-8333-444455556666, stack prod-tenant-contoso\): consented, nothing found$/m);
    expect(clean.stdout).toMatch(/^nothing found: Entra holds what the code puts there and nothing else$/m);
    expect(clean.stdout).toContain(`signed in with the client secret (ARM_CLIENT_SECRET) of application ${PLAN_IDENTITY}`);
    expect(clean.stdout).toContain(`GRAPH_ENDPOINT=${double.url}: tokens and reads went there instead of Microsoft's endpoints`);
    expect(clean.stderr).toMatch(/^\[2\/2\] /m);
    expect(clean.status).toBe(0);

    (applied.application.passwordCredentials as Json[]).push({ keyId: '7b7b7b7b-1111-4222-8333-444455556666', displayName: 'backdoor', hint: 'Zx9' });
    const found = await audit('prod', '--outputs', 'prod-outputs.json', '--format', 'json');
    const json = JSON.parse(found.stdout);
    expect(json).toMatchObject({ command: 'audit', version: 1, exitCode: 2 });
    expect(json.environments[0].tenants[0].findings).toEqual([
      expect.objectContaining({ kind: 'client-secret', object: 'application', id: '7b7b7b7b-1111-4222-8333-444455556666', command: `az ad app credential delete --id ${CLIENT_ID} --key-id 7b7b7b7b-1111-4222-8333-444455556666` }),
    ]);
    expect(found.stdout + found.stderr).not.toContain(SECRET);
    expect(found.status).toBe(2);
  }, 60_000);

  test('a mistake in how it is called is one line and exit 1, before anything is read', async () => {
    const result = await audit('prod', '--format', 'yaml');
    expect(result.stderr).toMatch(/^error: --format must be one of text, markdown, json; got "yaml"\n$/);
    expect(result.status).toBe(1);
    const help = await audit('--help');
    expect(help.stdout).toMatch(/^Reads each environment's registration live from Microsoft Graph/);
    expect(help.stdout).toContain('usage: npm run audit -- [<environment>...]');
    expect(help.status).toBe(0);
  }, 60_000);

  test("Graph's words cannot forge a workflow command in the CI log, in progress or report", async () => {
    double.trouble({ path: /^\/applications\(/, status: 500, body: JSON.stringify({ error: { code: 'quota\r::error title=approved::all good', message: '\n  ::add-mask::x' } }), times: 5 });
    let stdout = '';
    let stderr = '';
    const code = await auditCommand(['prod', '--outputs', 'prod-outputs.json'], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      projectRoot: project.root,
      cwd: project.root,
      env: { ARM_CLIENT_ID: PLAN_IDENTITY, ARM_CLIENT_SECRET: SECRET, AZURE_AUTHORITY_HOST: double.authority, GRAPH_ENDPOINT: double.url },
      credentialOptions: { additionalPolicies: [trustPolicy(double.certificatePem)] },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^\[1\/2\] prod: not audited: Graph answered 500 reading the application \S+ \(quota :\\u003aerror title=approved::all good: :\\u003aadd-mask::x\)$/m);
    expect(workflowCommands(stdout + stderr)).toEqual([]);
  }, 60_000);
});
