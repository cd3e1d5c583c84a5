import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { parseReviewArguments, reviewCommand } from '../lib/review/plan-review';
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
    expect(parseReviewArguments('plan', [])).toEqual({ kind: 'plan', format: 'text', source: 'terraform', environments: [] });
    expect(parseReviewArguments('drift', ['prod', 'test', '--format', 'markdown'])).toMatchObject({ format: 'markdown', environments: ['prod', 'test'] });
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
  const env = (variables: Record<string, string>) => ({ PATH: `${terraform.dir}:/usr/bin:/bin`, ...variables });
  const run = (kind: 'plan' | 'drift', argv: string[], variables: Record<string, string>) => {
    const io = streams();
    const done = reviewCommand(kind, argv, { ...io, projectRoot: project.root, env: env(variables) });
    return done.then((code) => ({ code, ...io.out }));
  };
  beforeEach(() => rmSync(terraform.log, { force: true }));
  afterAll(() => {
    project.remove();
    rmSync(terraform.dir, { recursive: true, force: true });
  });

  test('synthesizes, then runs init, plan -detailed-exitcode -out and show -json in the stack folder; exit 2 on drift', async () => {
    const result = await run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'drift-every-kind.json') });
    const stackDir = join(project.root, 'cdktf.out/stacks/prod');
    expect(readFileSync(terraform.log, 'utf8').trim().split('\n')).toEqual([
      `-chdir=${stackDir} init -input=false -no-color`,
      `-chdir=${stackDir} plan -input=false -no-color -detailed-exitcode -lock-timeout=5m -out=plan.tfplan`,
      `-chdir=${stackDir} show -json plan.tfplan`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^prod: 15 changes outside Terraform, 15 changes to apply\n  Changed outside Terraform\n/);
    expect(result.stdout).toContain('redirect URI https://x.example.com:4443 added outside Terraform');
    expect(result.stderr).toBe('prod: terraform init\nprod: terraform plan\nprod: terraform show\n');
  });

  test('plans every environment when none is named; exit 0 when nothing changes', async () => {
    const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).environments.map((e: any) => [e.environment, e.hasChanges])).toEqual([
      ['prod', false],
      ['test', false],
    ]);
  });

  test('passes an example (all-zero tenant) by and says so; a real tenant in example.ts is planned like any other', async () => {
    const examples = new TestProject();
    examples.writeEnvironment('demo', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    examples.writeEnvironment('example', validInput({ backend: AZURERM }));
    try {
      const io = streams();
      const variables = { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
      const code = await reviewCommand('plan', ['--format', 'json'], { ...io, projectRoot: examples.root, env: env(variables) });
      expect(code).toBe(0);
      expect(JSON.parse(io.out.stdout).environments.map((e: any) => e.environment)).toEqual(['example']);
      expect(io.out.stderr).toContain(`note: environments/demo.ts: an example (tenantId ${EXAMPLE_TENANT_ID}): synthesized, but never planned`);
      expect(readFileSync(terraform.log, 'utf8')).not.toContain('/stacks/demo ');
      await expect(reviewCommand('drift', ['demo'], { ...streams(), projectRoot: examples.root, env: env(variables) })).rejects.toThrow(
        new UserError(`environments/demo.ts: an example (tenantId ${EXAMPLE_TENANT_ID}): synthesized, but never planned, applied or checked; put in your tenant ID to make it an environment`),
      );
    } finally {
      examples.remove();
    }
  });

  test('planning one environment keeps the saved plans of the others', async () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
    await run('plan', ['prod'], variables);
    await run('plan', ['test'], variables);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(true);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/test/plan.tfplan'))).toBe(true);
  });

  test('a failing init (no credentials, no network) is one line with Terraform reason', async () => {
    const failure = run('plan', ['prod'], { FAKE_TERRAFORM_INIT_ERROR: 'Failed to get existing workspaces: authorizing request: no credentials' });
    await expect(failure).rejects.toThrow(new UserError('prod: terraform init failed: Error: Failed to get existing workspaces: authorizing request: no credentials'));
  });

  test('a failing plan is reported the same way', async () => {
    await expect(run('plan', ['prod'], { FAKE_TERRAFORM_PLAN_EXIT: '1' })).rejects.toThrow(
      new UserError('prod: terraform plan failed: Error: Error acquiring the state lock'),
    );
  });

  test('terraform missing from PATH says how to get it', async () => {
    const io = streams();
    const empty = mkdtempSync(join(tmpdir(), 'no-terraform-'));
    const done = reviewCommand('plan', ['prod'], { ...io, projectRoot: project.root, env: { PATH: empty } });
    await expect(done).rejects.toThrow(new UserError('terraform not found on PATH: install Terraform 1.11 (in GitHub Actions: hashicorp/setup-terraform)'));
    rmSync(empty, { recursive: true });
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
