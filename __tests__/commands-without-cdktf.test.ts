import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, LIB, TestProject, validInput } from './support/builders';
import { FORBID_CDKTF, runCommandIn } from './support/commands';
import { ARTICLE_MANIFEST, CLIENT_ID } from './support/manifests';
import { DEPLOYER, STATE } from './support/platform-repository';
import { selfSignedOutputsJson, selfSignedValues } from './support/outputs';
import { PROCESS_TIMEOUT } from './support/timeouts';

// Only synthesis needs cdktf, and loading it costs most of a command's time: the commands that read
// environment files, manifests, saved plans or Terraform outputs run with cdktf, constructs and the
// provider bindings forbidden (support/forbid-cdktf.js), each with the outcome it exists for.
describe('commands that never synthesize run without loading cdktf', () => {
  const project = new TestProject();
  // Remote state: bootstrap has something to set up for it.
  project.writeEnvironment('prod', validInput({ backend: STATE, deployingIdentityObjectId: DEPLOYER, customerTenants: [{ name: 'contoso', tenantId: '99999999-8888-4777-8666-555555555555' }] }));
  // export-pfx exports only a certificate Terraform made.
  project.writeEnvironment('lab', validInput({ certificates: [{ source: 'selfSigned', name: 'current' }] }));
  copyFileSync(ARTICLE_MANIFEST, join(project.root, 'article.json'));
  copyFileSync(join(FIXTURES, 'plans', 'drift-every-kind.json'), join(project.root, 'plan.json'));
  writeFileSync(join(project.root, 'outputs.json'), selfSignedOutputsJson({ current: selfSignedValues(project.root, 'current') }, CLIENT_ID));
  afterAll(() => project.remove());

  const run = (name: string, ...args: string[]) => runCommandIn(project, name, args, { PFX_PASSWORD: 'Kennwort-für-VB365' }, [FORBID_CDKTF]);

  test.each([
    ['certs', ['prod'], 0, /^prod\s/m],
    ['environments', ['--format', 'json'], 0, /^\[\{"name":"lab","ci":"workstation","tokenVariable":null\},\{"name":"prod","ci":"apply","tokenVariable":null\}\]\n$/],
    ['tenants', ['prod', '--outputs', 'outputs.json'], 0, /^prod: 1 customer tenants?, application /],
    ['doctor', ['--manifest', 'article.json'], 2, /redirect URI/],
    ['doctor', ['--manifest', 'article.json', 'prod'], 2, /redirectUris of environments\/prod\.ts/],
    ['manifest', ['prod', '--client-id', CLIENT_ID, '--out', 'prod.manifest.json'], 0, /^wrote prod\.manifest\.json: the registration of environments\/prod\.ts/],
    ['plan', ['--plan-json', 'plan.json', 'prod'], 2, /prod/],
    ['drift', ['--plan-json', 'plan.json', 'prod'], 2, /deleted outside Terraform/],
    ['export-pfx', ['lab', '--out', 'portal.pfx', '--outputs', 'outputs.json'], 0, /^wrote portal\.pfx \(mode 0600\)/],
    ['bootstrap', ['prod', '--repository', 'contoso/portal'], 0, /^#!\/usr\/bin\/env bash\n/],
  ] as const)('%s %j', (name, args, status, output) => {
    const result = run(name, ...args);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(output);
    expect(result.status).toBe(status);
  }, PROCESS_TIMEOUT);

  test('an environment file that imports defineEnvironment from lib, as older ones do, still loads (with cdktf)', () => {
    const old = new TestProject();
    old.writeEnvironment('prod', `import { defineEnvironment } from ${JSON.stringify(LIB)};\nexport default defineEnvironment(${JSON.stringify(validInput())});\n`);
    expect(runCommandIn(old, 'certs', []).status).toBe(0);
    expect(runCommandIn(old, 'certs', [], {}, [FORBID_CDKTF]).stderr).toMatch(/could not be loaded: (cdktf|constructs|@cdktf\/\S+) loaded/);
  }, PROCESS_TIMEOUT);
});
