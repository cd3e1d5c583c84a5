import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { reviewCommand } from '../lib/review/plan-review';
import { FIXTURES, LIB, REPO_ROOT, TestProject } from './support/builders';
import { standInTerraform } from './support/plans';

/** The environment file docs/service-providers.md gives for a customer who consented already, as a user copies it. */
function documentedEnvironment(): string {
  const page = readFileSync(join(REPO_ROOT, 'docs/service-providers.md'), 'utf8');
  const section = page.slice(page.indexOf('### A customer who consented already'));
  const block = /```ts\n([^]*?)\n\s*```/.exec(section);
  if (!block) throw new Error('docs/service-providers.md: no ts example under "A customer who consented already"');
  return block[1].replace(/^ {3}/gm, '').replace("'../lib/environment'", JSON.stringify(join(LIB, 'environment')));
}

const STACK = 'prod-tenant-contoso';
const GRANTS = ['azuread_service_principal_delegated_permission_grant.portal_microsoft_graph', 'azuread_service_principal_delegated_permission_grant.portal_self'];

/**
 * The procedure driven with the stand-in terraform, which plans a customer tenant stack's service principal and
 * grants as the real provider was seen to (support/stand-in-terraform.sh, FAKE_TERRAFORM_MODEL=customer-consent).
 */
describe('a customer who consented by URL keeps its consent when it is added to customerTenants', () => {
  const project = new TestProject();
  copyFileSync(join(FIXTURES, 'certs', 'valid.cer'), join(project.environmentsDir, 'certs', 'restore-portal.cer'));
  const terraform = standInTerraform();
  const env = { PATH: `${terraform.dir}:/usr/bin:/bin`, TF_PLUGIN_CACHE_DIR: join(terraform.dir, 'cache'), FAKE_TERRAFORM_MODEL: 'customer-consent' };
  const stackDir = join(project.root, 'cdktf.out/stacks', STACK);
  /** The tenant stack's report of `npm run plan -- prod`, as [action, address] pairs. */
  const planned = async () => {
    let stdout = '';
    const io = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } };
    const code = await reviewCommand('plan', ['prod', '--format', 'json'], { ...io, projectRoot: project.root, env });
    const report = JSON.parse(stdout).environments.find((e: { environment: string }) => e.environment === STACK);
    return { code, failure: report.failure, dangers: report.dangers, changes: report.changes.map((c: { action: string; address: string }) => [c.action, c.address]) };
  };
  afterEach(() => {
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
    // Environment files are modules: jest's registry would keep the version loaded first.
    jest.resetModules();
  });
  afterAll(() => {
    project.remove();
    rmSync(terraform.dir, { recursive: true, force: true });
  });

  test("the documented adopt imports the service principal and its grants in one plan: nothing replaced, nothing created", async () => {
    project.writeEnvironment('prod', documentedEnvironment());
    const result = await planned();
    expect(result).toEqual({
      code: 2,
      failure: null,
      dangers: [],
      changes: [
        ['import', 'azuread_service_principal.portal'],
        ['import', GRANTS[0]],
        ['import', GRANTS[1]],
      ],
    });
  }, 60_000);

  test('importing the two grants by hand, without the service principal, would replace them: the step the docs no longer give', async () => {
    project.writeEnvironment('prod', documentedEnvironment().replace(/\n( *)adopt: \{[^]*?\n\1\},/, ''));
    expect(await planned()).toMatchObject({ changes: [['create', 'azuread_service_principal.portal'], ['create', GRANTS[0]], ['create', GRANTS[1]]] });
    for (const grant of GRANTS) execFileSync(join(terraform.dir, 'terraform'), [`-chdir=${stackDir}`, 'import', grant, '/oauth2PermissionGrants/K9sYtZYQ6ke2ti6K5ZbZsS2c']);
    const replaced = await planned();
    expect(replaced.changes).toEqual([
      ['create', 'azuread_service_principal.portal'],
      ['replace', GRANTS[0]],
      ['replace', GRANTS[1]],
    ]);
  }, 60_000);
});
