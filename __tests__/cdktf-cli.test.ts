import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_FOLDER_MARKER } from '../lib/synthesis/output-folder';
import { standInTerraform } from './support/commands';
import { CONTOSO, FABRIKAM, REPO_ROOT, TestProject, validInput } from './support/builders';
import { TOOLCHAIN_TIMEOUT } from './support/timeouts';

/**
 * cdktf-cli 0.21.0 loads node-pty, which ships builds for the Node releases up to 22 only: on Node 24
 * the CLI itself cannot start ("Cannot find module '../build/Debug/pty.node'"), whatever the app.
 * Where there is no build for this Node, there is nothing of ours to test here.
 */
const PTY_BUILD = join(
  REPO_ROOT,
  'node_modules/@cdktf/node-pty-prebuilt-multiarch/prebuilds',
  `${process.platform}-${process.arch}`,
  `node.abi${process.versions.modules}.node`,
);
const describeWhereTheCliRuns = existsSync(PTY_BUILD) ? describe : describe.skip;

// The real cdktf CLI, offline: it runs cdktf.json's app, as a user's `npx cdktf synth|diff|deploy` does.
describeWhereTheCliRuns('the cdktf CLI', () => {
  // Made in beforeAll, not in this body: jest runs the body of a skipped describe, but no hook of a
  // file whose tests are all skipped, so a folder made here would be left behind on Node 24.
  let project: TestProject;
  let terraform: ReturnType<typeof standInTerraform>;
  beforeAll(() => {
    project = new TestProject();
    writeFileSync(join(project.root, 'main.ts'), readFileSync(join(REPO_ROOT, 'main.ts')));
    symlinkSync(join(REPO_ROOT, 'lib'), join(project.root, 'lib'));
    const cdktfJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdktf.json'), 'utf8'));
    writeFileSync(join(project.root, 'cdktf.json'), JSON.stringify({ ...cdktfJson, app: cdktfJson.app.replace('./bin/', `${REPO_ROOT}/bin/`) }));
    // Offline, terraform cannot download providers: init fails as it would, after the synth step.
    terraform = standInTerraform(
      project,
      'case "$1" in version) echo \'{"terraform_version":"1.11.0"}\' ;; init) echo "Error: Failed to query available provider packages" >&2; exit 1 ;; esac',
    );
  });
  const { CDKTF_OUTDIR: _, ...env } = process.env;
  const cdktf = (...args: string[]) =>
    spawnSync(join(REPO_ROOT, 'node_modules/.bin/cdktf'), args, {
      cwd: project.root,
      encoding: 'utf8',
      env: { ...env, CHECKPOINT_DISABLE: '1', CI: '1', NO_COLOR: '1', PATH: terraform.path, CDKTF_HOME: join(project.root, '.cdktf-home') },
    });
  const stackFolders = () => readdirSync(join(project.root, 'cdktf.out/stacks')).sort();
  afterAll(() => project?.remove());

  test('synth exits 0 after environments and customer tenants were removed, renamed and added since npm run synth', () => {
    project.writeEnvironment('prod', validInput({ customerTenants: [CONTOSO, FABRIKAM] }));
    const old = project.writeEnvironment('old', validInput());
    project.synth();
    rmSync(old);
    project.writeEnvironment('prod', validInput({ customerTenants: [CONTOSO, { ...FABRIKAM, name: 'northwind' }] }));
    project.writeEnvironment('staging', validInput());

    const result = cdktf('synth');
    expect(result.status).toBe(0);
    expect(stackFolders()).toEqual(['prod', 'prod-tenant-contoso', 'prod-tenant-northwind', 'staging']);
    for (const stack of stackFolders()) expect(existsSync(join(project.root, 'cdktf.out/stacks', stack, STACK_FOLDER_MARKER))).toBe(true);
  }, TOOLCHAIN_TIMEOUT);

  test('diff synthesizes after stacks were removed and gets as far as terraform init', () => {
    rmSync(join(project.environmentsDir, 'staging.ts'));
    project.writeEnvironment('prod', validInput({ customerTenants: [CONTOSO] }));

    const result = cdktf('diff', 'prod');
    expect(`${result.stdout}${result.stderr}`).toContain('Failed to query available provider packages');
    expect(result.status).toBe(1);
    expect(readFileSync(terraform.callsLog, 'utf8')).toMatch(/^init\b/m);
    expect(stackFolders()).toEqual(['prod', 'prod-tenant-contoso']);
  }, TOOLCHAIN_TIMEOUT);

  test('npm run synth after the CLI removes what the CLI synthesized', () => {
    project.writeEnvironment('prod', validInput());
    jest.resetModules();
    project.synth();
    expect(stackFolders()).toEqual(['prod']);
  });
});
