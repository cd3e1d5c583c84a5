import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { parseReviewArguments, reviewCommand, shardOf } from '../lib/review/plan-review';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { PLANS, standInTerraform } from './support/plans';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };

/** Captures what a command writes. */
function streams() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
  };
}

describe('plan and drift arguments', () => {
  test('plan every environment by default, or the ones named', () => {
    expect(parseReviewArguments('plan', [])).toEqual({ kind: 'plan', format: 'text', source: 'terraform', environments: [], parallel: 8 });
    expect(parseReviewArguments('drift', ['prod', 'test', '--format', 'markdown'])).toMatchObject({ format: 'markdown', environments: ['prod', 'test'] });
  });

  test('plan N stacks at once with --parallel, and part K of N with --shard', () => {
    expect(parseReviewArguments('plan', ['prod', '--parallel', '3', '--shard', '2/5'])).toMatchObject({ parallel: 3, shard: { index: 2, count: 5 } });
  });

  test('a shard is a contiguous part, and the parts together are every stack once', () => {
    const stacks = ['prod', 'prod-tenant-a', 'prod-tenant-b', 'prod-tenant-c', 'prod-tenant-d', 'test', 'test-tenant-a'];
    const parts = [1, 2, 3].map((index) => shardOf(stacks, { index, count: 3 }));
    expect(parts).toEqual([['prod', 'prod-tenant-a'], ['prod-tenant-b', 'prod-tenant-c'], ['prod-tenant-d', 'test', 'test-tenant-a']]);
    expect(shardOf(['prod'], { index: 2, count: 2 })).toEqual(['prod']);
  });

  test('read a saved plan with --plan-json, labelled by --env', () => {
    expect(parseReviewArguments('drift', ['--plan-json', 'plan.json', '--env', 'prod', '--format', 'json'])).toEqual({
      kind: 'drift',
      format: 'json',
      source: 'saved plan',
      planJson: 'plan.json',
      environment: 'prod',
    });
  });

  test.each([
    [['--plan-json', 'plan.json'], /^--plan-json needs --env <name> to label the report/],
    [['--env', 'prod'], /^--env labels a saved plan and goes with --plan-json; to plan an environment, name it: npm run plan -- prod$/],
    [['prod', '--plan-json', 'p.json', '--env', 'prod'], /^--plan-json reads one saved plan; drop the environment names \(prod\)$/],
    [['--format', 'html'], /^--format must be one of text, markdown, json; got "html"$/],
    [['--verbose'], /^Unknown option '--verbose'/],
    [['--parallel', '0'], /^--parallel takes a whole number of stacks from 1 to 64; got "0"$/],
    [['--parallel', '1e3'], /^--parallel takes a whole number of stacks from 1 to 64; got "1e3"$/],
    [['--parallel', '65'], /^--parallel takes a whole number of stacks from 1 to 64; got "65"$/],
    [['--shard', '3/2'], /^--shard takes K\/N, part K of N \(1 <= K <= N\), as --matrix lists them; got "3\/2"$/],
    [['--shard', '0/2'], /^--shard takes K\/N/],
    [['--shard', '1/0'], /^--shard takes K\/N/],
    [['--shard', '../2'], /^--shard takes K\/N/],
    [['--plan-json', 'p.json', '--env', 'prod', '--parallel', '4'], /^--plan-json reads one saved plan and runs no terraform; drop --parallel$/],
    [['--matrix', '--shard', '1/2'], /^--matrix lists the jobs of a CI run and plans nothing; drop --shard$/],
  ])('refuse %j with a usage message', (argv, message) => {
    expect(() => parseReviewArguments('plan', argv)).toThrow(UserError);
    expect(() => parseReviewArguments('plan', argv)).toThrow(message);
  });
});

describe('plan and drift with terraform (a stand-in on PATH)', () => {
  const project = new TestProject();
  project.writeEnvironment('prod', validInput({ backend: AZURERM }));
  project.writeEnvironment('test', validInput({ backend: AZURERM }));
  const terraform = standInTerraform();
  const cache = join(terraform.dir, 'plugin-cache');
  const env = (variables: Record<string, string>) => ({ PATH: `${terraform.dir}:/usr/bin:/bin`, TF_PLUGIN_CACHE_DIR: cache, ...variables });
  const run = (kind: 'plan' | 'drift', argv: string[], variables: Record<string, string>) => {
    const io = streams();
    const done = reviewCommand(kind, argv, { ...io, projectRoot: project.root, env: env(variables) });
    return done.then((code) => ({ code, ...io.out }));
  };
  const logLines = (name: string) => readFileSync(join(terraform.dir, name), 'utf8').trim().split('\n');
  beforeEach(() => {
    for (const log of ['calls.log', 'init.log', 'timeline.log']) rmSync(join(terraform.dir, log), { force: true });
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
  });
  afterAll(() => {
    project.remove();
    rmSync(terraform.dir, { recursive: true, force: true });
  });

  test('synthesizes, then runs init, plan -detailed-exitcode -out and show -json in the stack folder; exit 2 on drift', async () => {
    const result = await run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'drift-every-kind.json') });
    const stackDir = join(project.root, 'cdktf.out/stacks/prod');
    expect(logLines('calls.log')).toEqual([
      `-chdir=${stackDir} init -input=false -no-color`,
      `-chdir=${stackDir} plan -input=false -no-color -detailed-exitcode -lock-timeout=5m -out=plan.tfplan`,
      `-chdir=${stackDir} show -json plan.tfplan`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^prod: 15 changes outside Terraform, 15 changes to apply\n  Changed outside Terraform\n/);
    expect(result.stdout).toContain('redirect URI https://x.example.com:4443 added outside Terraform');
    expect(result.stderr).toBe('prod: terraform init\nprod: terraform plan\nprod: terraform show\n');
  });

  test('plans every environment when none is named; exit 0 when nothing changes; progress per stack on stderr', async () => {
    const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).environments.map((e: any) => [e.environment, e.hasChanges, e.failure])).toEqual([
      ['prod', false, null],
      ['test', false, null],
    ]);
    expect(result.stderr).toMatch(/^\[1\/2\] (prod|test): no changes$/m);
    expect(result.stderr).toMatch(/^\[2\/2\] (prod|test): no changes$/m);
  });

  test('planning one environment keeps the saved plans of the others', async () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
    await run('plan', ['prod'], variables);
    await run('plan', ['test'], variables);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(true);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/test/plan.tfplan'))).toBe(true);
  });

  test('a failing init (no credentials, no network) is the stack\'s report, with Terraform\'s reason in one line; exit 1', async () => {
    const result = await run('plan', ['prod'], { FAKE_TERRAFORM_INIT_ERROR: 'Failed to get existing workspaces: authorizing request: no credentials' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('prod: not planned: terraform init failed: Error: Failed to get existing workspaces: authorizing request: no credentials\n');
  });

  test('a failing stack does not stop the others: every stack is reported, the failed one as failed, and the worst exit code wins', async () => {
    const stale = join(project.root, 'cdktf.out/stacks/prod/plan.tfplan');
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    writeFileSync(stale, 'an older plan');
    const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_FAIL_STACK: 'prod', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'redirect-uri-added.json') });
    const json = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    expect(json.exitCode).toBe(1);
    expect(json.environments.map((e: any) => [e.environment, e.failure, e.hasChanges])).toEqual([
      ['prod', 'terraform plan failed: Error: Error acquiring the state lock', false],
      ['test', null, true],
    ]);
    // apply.yml applies every saved plan it finds: the older one must not stand in for the failed plan.
    expect(existsSync(stale)).toBe(false);
  });

  test('a failed stack reads as failed in markdown too, for the pull request comment', async () => {
    const result = await run('plan', ['prod', '--format', 'markdown'], { FAKE_TERRAFORM_FAIL_STACK: 'prod' });
    expect(result.stdout).toBe('### Restore Portal plan: `prod`\n\n❌ not planned: terraform plan failed: Error: Error acquiring the state lock\n\n');
  });

  test('plans at most --parallel stacks at once', async () => {
    for (let i = 0; i < 4; i++) project.writeEnvironment(`extra${i}`, validInput({ backend: AZURERM }));
    try {
      const result = await run('plan', ['--parallel', '3'], { FAKE_TERRAFORM_PLAN_SLEEP: '0.3', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(result.code).toBe(0);
      let running = 0;
      let most = 0;
      for (const line of logLines('timeline.log')) {
        running += line.startsWith('start') ? 1 : -1;
        most = Math.max(most, running);
      }
      expect(logLines('timeline.log')).toHaveLength(12);
      expect(most).toBe(3);
    } finally {
      for (let i = 0; i < 4; i++) rmSync(join(project.root, `environments/extra${i}.ts`));
    }
  });

  test('every stack shares one plugin cache; the first stack initialized lends its lock file so the others take providers from it', async () => {
    await run('plan', [], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    const inits = logLines('init.log');
    expect(inits[0]).toBe(`prod cache=${cache} lock=none`);
    expect(inits.slice(1)).toEqual([`test cache=${cache} lock=present`]);
    expect(existsSync(cache)).toBe(true);
  });

  test("without the user's own cache, the cache is ~/.terraform.d/plugin-cache, created; one set in the CLI configuration is left to Terraform", async () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    try {
      await run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: '', HOME: home, FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(logLines('init.log')).toEqual([`prod cache=${join(home, '.terraform.d/plugin-cache')} lock=none`]);
      expect(existsSync(join(home, '.terraform.d/plugin-cache'))).toBe(true);

      rmSync(join(terraform.dir, 'init.log'));
      rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
      writeFileSync(join(home, '.terraformrc'), 'plugin_cache_dir = "/opt/terraform-cache"\n');
      await run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: '', HOME: home, FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(logLines('init.log')).toEqual(['prod cache= lock=none']);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a TF_PLUGIN_CACHE_DIR that cannot be a folder is one line, before any terraform runs', async () => {
    const file = join(terraform.dir, 'a-file');
    writeFileSync(file, '');
    await expect(run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: join(file, 'cache') })).rejects.toThrow(
      new UserError(`TF_PLUGIN_CACHE_DIR ${join(file, 'cache')}: cannot create the folder (ENOTDIR); set TF_PLUGIN_CACHE_DIR to a folder you can write`),
    );
    expect(existsSync(join(terraform.dir, 'calls.log'))).toBe(false);
  });

  test('terraform missing from PATH says how to get it, once for the whole run', async () => {
    const io = streams();
    const empty = mkdtempSync(join(tmpdir(), 'no-terraform-'));
    const done = reviewCommand('plan', [], { ...io, projectRoot: project.root, env: { PATH: empty, TF_PLUGIN_CACHE_DIR: cache } });
    await expect(done).rejects.toThrow(new UserError('terraform not found on PATH: install Terraform 1.11 (in GitHub Actions: hashicorp/setup-terraform)'));
    rmSync(empty, { recursive: true });
  });
});

describe('--matrix: the CI jobs of a plan', () => {
  const project = new TestProject();
  const tenants = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ name: `customer${i}`, tenantId: `c0c0c0c0-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: tenants(120) }));
  project.writeEnvironment('test', validInput({ backend: AZURERM }));
  project.writeEnvironment('broken', validInput({ tenantId: 'not a tenant ID' }));
  afterAll(() => project.remove());
  const matrix = async (argv: string[]) => {
    const io = streams();
    const code = await reviewCommand('plan', ['--matrix', ...argv], { ...io, projectRoot: project.root });
    return { code, jobs: JSON.parse(io.out.stdout) };
  };

  test('one job per environment, and one per 50 stacks of an environment with many customer tenants', async () => {
    const { code, jobs } = await matrix(['prod', 'test']);
    expect(code).toBe(0);
    expect(jobs).toEqual([
      { environment: 'prod', shard: '1/3', name: 'prod-001' },
      { environment: 'prod', shard: '2/3', name: 'prod-002' },
      { environment: 'prod', shard: '3/3', name: 'prod-003' },
      { environment: 'test', shard: '1/1', name: 'test-001' },
    ]);
  });

  test("an environment file with problems still gets its job, whose plan reports them; every file when none is named", async () => {
    const { jobs } = await matrix([]);
    expect(jobs.map((job: any) => job.name)).toEqual(['broken-001', 'prod-001', 'prod-002', 'prod-003', 'test-001']);
  });

  test('an environment without a file is refused', async () => {
    await expect(matrix(['prdo'])).rejects.toThrow(new UserError('no such environment: prdo; known: broken, prod, test'));
  });
});

describe('the plan and drift commands (end to end)', () => {
  const node = (script: string, args: string[], extra: string[] = []) =>
    spawnSync(process.execPath, ['--require', './bin/register-ts.js', ...extra, script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  test('drift reads a saved plan without loading cdktf, prints the report and exits 2', () => {
    const guard = join(__dirname, 'support/forbid-cdktf.js');
    const result = node('cli/drift.ts', ['--plan-json', join(PLANS, 'drift-every-kind.json'), '--env', 'prod'], ['--require', guard]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('certificate 8081…F2FA deleted outside Terraform');
  });

  test('plan refuses a file that is not plan JSON in one line, exit 1, no stack trace', () => {
    const result = node('cli/plan.ts', ['--plan-json', 'package.json', '--env', 'prod']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: package.json: is not Terraform plan JSON (no format_version); make it with terraform show -json <planfile>\n');
  });
});
