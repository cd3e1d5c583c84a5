import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { PROCESS_TIMEOUT } from './support/timeouts';

const content = (entry: string) => entry.slice(entry.indexOf(' ') + 1);

/** Every file under a folder with its mtime and content, to compare a whole cdktf.out before and after. */
function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      files[path.slice(dir.length + 1)] = `${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`;
    }
  }
  return files;
}

describe('synth', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
  });
  afterEach(() => project.remove());

  test('writes one stack per environment file, named after the file', () => {
    project.writeEnvironment('prod', validInput());
    project.writeEnvironment('staging', validInput({ redirectUris: ['https://restore-staging.example.com:4443'] }));
    writeFileSync(join(project.environmentsDir, '_shared.ts'), 'export const x = 1;\n');
    expect(project.synth().stacks).toEqual(['prod', 'staging']);
    const manifest = JSON.parse(project.readFile('cdktf.out/manifest.json'));
    expect(Object.keys(manifest.stacks)).toEqual(['prod', 'staging']);
    expect(JSON.parse(project.readFile('cdktf.out/stacks/staging/cdk.tf.json')).output.redirect_uris.value).toEqual([
      'https://restore-staging.example.com:4443',
    ]);
  });

  test('is deterministic: two synths are byte-identical', () => {
    project.writeEnvironment('prod', validInput());
    project.synth();
    const first = project.readFile('cdktf.out/stacks/prod/cdk.tf.json');
    project.synth();
    expect(project.readFile('cdktf.out/stacks/prod/cdk.tf.json')).toBe(first);
  });

  test('rewrites only the files whose content changed, each replaced whole', () => {
    project.writeEnvironment('prod', validInput());
    project.writeEnvironment('staging', validInput());
    project.synth();
    const before = snapshotTree(join(project.root, 'cdktf.out'));
    jest.resetModules();
    project.writeEnvironment('staging', validInput({ redirectUris: ['https://restore-staging.example.com:4443'] }));
    project.synth();
    const after = snapshotTree(join(project.root, 'cdktf.out'));
    expect(after['stacks/prod/cdk.tf.json']).toBe(before['stacks/prod/cdk.tf.json']);
    expect(after['manifest.json']).toBe(before['manifest.json']);
    expect(content(after['stacks/staging/cdk.tf.json'])).toContain('https://restore-staging.example.com:4443');
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  });

  test('writes no absolute path of the machine', () => {
    project.writeEnvironment('prod', validInput());
    project.synth();
    const json = project.readFile('cdktf.out/stacks/prod/cdk.tf.json');
    expect(json).not.toContain(project.root);
    expect(JSON.parse(json).terraform.backend.local.path).toBe('../../../terraform.prod.tfstate');
  });

  test('reports the problems of every environment at once and leaves an earlier cdktf.out as it was', () => {
    project.writeEnvironment('prod', validInput());
    project.synth();
    const before = snapshotTree(join(project.root, 'cdktf.out'));
    jest.resetModules();
    project.writeEnvironment('prod', validInput({ redirectUris: ['http://restore.example.com'] }));
    project.writeEnvironment('staging', validInput({ tenantId: 'contoso' }));
    expect(project.synthProblems()).toEqual([
      'environments/prod.ts: redirectUris[0]: must use https (Entra allows http only for http://localhost); got "http://restore.example.com"',
      'environments/staging.ts: tenantId: must be the tenant ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "contoso"',
    ]);
    expect(snapshotTree(join(project.root, 'cdktf.out'))).toEqual(before);
    expect(readdirSync(project.root).filter((f) => f.startsWith('cdktf.out'))).toEqual(['cdktf.out']);
  });

  test('reports an environment file that throws, and one without a default export', () => {
    project.writeEnvironment('throws', 'throw new Error("TENANT_ID is not set");\n');
    project.writeEnvironment('plain', 'export const environment = {};\n');
    expect(project.synthProblems()).toEqual([
      'environments/plain.ts: must default-export defineEnvironment({ ... }) (found no default export)',
      'environments/throws.ts: could not be loaded: TENANT_ID is not set',
    ]);
  });

  test('says so when there is no environment at all', () => {
    expect(project.synthProblems()).toEqual([
      'environments: holds no environment file: add one <name>.ts that default-exports defineEnvironment({ ... })',
    ]);
  });

  test('removes the stack of a removed environment and keeps what terraform put in the others', () => {
    project.writeEnvironment('prod', validInput());
    const old = project.writeEnvironment('old', validInput());
    project.synth();
    const terraformDir = join(project.root, 'cdktf.out/stacks/prod/.terraform');
    mkdirSync(terraformDir);
    writeFileSync(join(terraformDir, 'terraform.tfstate'), '{}');
    rmSync(old);
    project.synth();
    expect(existsSync(join(project.root, 'cdktf.out/stacks/old'))).toBe(false);
    expect(existsSync(join(terraformDir, 'terraform.tfstate'))).toBe(true);
  });
});

describe('the synth command (cdktf.json "app")', () => {
  const project = new TestProject();
  // The real main.ts and lib/, as a user's clone has them next to their environments/.
  writeFileSync(join(project.root, 'main.ts'), readFileSync(join(REPO_ROOT, 'main.ts')));
  symlinkSync(join(REPO_ROOT, 'lib'), join(project.root, 'lib'));
  const app = JSON.parse(readFileSync(join(REPO_ROOT, 'cdktf.json'), 'utf8')).app.replace('./bin/', `${REPO_ROOT}/bin/`);
  const { CDKTF_OUTDIR: _, ...env } = process.env;
  const run = (...args: string[]) => spawnSync(`${app} ${args.join(' ')}`, { cwd: project.root, shell: true, encoding: 'utf8', env });
  afterAll(() => project.remove());

  test('writes the stacks and exits 0, printing warnings without failing', () => {
    project.writeEnvironment('prod', validInput());
    const result = run();
    expect(result.stderr).toMatch(/^warning: environments\/prod\.ts: backend: keeps its Terraform state in a local file .*\n$/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('synthesized 1 stack(s)');
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/cdk.tf.json'))).toBe(true);
  }, PROCESS_TIMEOUT);

  test('synthesizes only the environments named, or says which it does not know', () => {
    project.writeEnvironment('prod', validInput());
    project.writeEnvironment('test', validInput());
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
    const named = run('test');
    expect(named.status).toBe(0);
    expect(named.stdout).toBe(`synthesized 1 stack(s) into ${join(project.root, 'cdktf.out')}: test\n`);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod'))).toBe(false);
    const unknown = run('prdo');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('error: no such environment "prdo"; did you mean prod?\n');
  }, PROCESS_TIMEOUT);

  test('exits 1 on bad input with one line per problem and no stack trace', () => {
    project.writeEnvironment('broken', 'export default defineEnvironment({ tenantId: \n');
    project.writeEnvironment('prod', validInput({ tenantId: 'x', redirectUris: ['https://*.example.com'] }));
    const result = run();
    expect(result.status).toBe(1);
    const [broken, ...rest] = result.stderr.trim().split('\n');
    expect(broken).toMatch(/^environments\/broken\.ts: could not be loaded: \S.+ \(line 1, column \d+\)$/);
    expect(rest).toEqual([
      'environments/prod.ts: tenantId: must be the tenant ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "x"',
      'environments/prod.ts: redirectUris[0]: wildcards are not allowed by Entra; list each portal address in full; got "https://*.example.com"',
      'error: 3 problem(s) in the environment files',
    ]);
  }, PROCESS_TIMEOUT);

  test('a syntax error in a helper an environment imports names the helper, whose line and column they are', () => {
    writeFileSync(join(project.environmentsDir, '_shared.ts'), 'export const x = ;\n');
    project.writeEnvironment('uses', `import { x } from './_shared';\nexport default { ...${JSON.stringify(validInput())}, displayName: String(x) };\n`);
    const result = run('uses');
    expect(result.stderr).toBe('environments/uses.ts: could not be loaded: _shared.ts: Expression expected (line 1, column 18)\nerror: 1 problem(s) in the environment files\n');
    rmSync(join(project.environmentsDir, '_shared.ts'));
    rmSync(join(project.environmentsDir, 'uses.ts'));
  }, PROCESS_TIMEOUT);
});
