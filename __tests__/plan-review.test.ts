import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { parseReviewArguments, reviewCommand } from '../lib/review/plan-review';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { PLANS, planFixture, standInTerraform } from './support/plans';
import { readPlanJson } from '../lib/review/terraform-plan';

/** A well-formed digest that no fixture plan has. */
const DIGEST = 'ab'.repeat(32);

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const DEPLOYER = 'dddddddd-0000-4000-8000-00000000000d';

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

  test('take the reviewed digest with --expect-digest, for a saved plan too, and a file for the JSON report with --json-out', () => {
    expect(parseReviewArguments('plan', ['prod', '--expect-digest', DIGEST.toUpperCase(), '--json-out', 'r.json'])).toMatchObject({
      source: 'terraform',
      expectDigest: DIGEST,
      jsonOut: 'r.json',
    });
    expect(parseReviewArguments('plan', ['--plan-json', 'p.json', '--env', 'prod', '--expect-digest', DIGEST])).toMatchObject({ source: 'saved plan', expectDigest: DIGEST });
  });

  test.each([
    [['--expect-digest', 'abc123'], /^--expect-digest must be the 64 hex digits of a reviewed plan's digest \(its report's "digest"\); got "abc123"$/],
    [['--expect-digest', `${'a'.repeat(63)}g`], /^--expect-digest must be the 64 hex digits/],
    [['--plan-json', 'plan.json'], /^--plan-json needs --env <name> to label the report/],
    [['--env', 'prod'], /^--env labels a saved plan and goes with --plan-json; to plan an environment, name it: npm run plan -- prod$/],
    [['prod', '--plan-json', 'p.json', '--env', 'prod'], /^--plan-json reads one saved plan; drop the environment names \(prod\)$/],
    [['--format', 'html'], /^--format must be one of text, markdown, json; got "html"$/],
    [['--verbose'], /^Unknown option '--verbose'/],
  ])('refuse %j with a usage message', (argv, message) => {
    expect(() => parseReviewArguments('plan', argv)).toThrow(UserError);
    expect(() => parseReviewArguments('plan', argv)).toThrow(message);
  });

  test('take --reviewed only with --expect-digest', () => {
    expect(() => parseReviewArguments('plan', ['--reviewed', 'r.json'])).toThrow(/^--reviewed names what differs from a reviewed report and goes with --expect-digest <its digest>$/);
  });

  test('keep --expect-digest to plan, which gates an apply', () => {
    expect(() => parseReviewArguments('drift', ['--expect-digest', DIGEST])).toThrow(/^--expect-digest gates a plan before it is applied/);
  });
});

describe('the --expect-digest gate on a saved plan', () => {
  const reviewed = readPlanJson(readFileSync(join(PLANS, 'redirect-uri-added.json'), 'utf8'), 'plan.json').digest;
  const unchanged = readPlanJson(readFileSync(join(PLANS, 'no-changes.json'), 'utf8'), 'plan.json').digest;
  const gate = async (fixture: string, expected: string, format = 'text') => {
    const io = streams();
    const argv = ['--plan-json', join(PLANS, `${fixture}.json`), '--env', 'prod', '--expect-digest', expected, '--format', format];
    const code = await reviewCommand('plan', argv, { ...io, projectRoot: REPO_ROOT });
    return { code, ...io.out };
  };

  test('the reviewed plan passes with its usual exit code: 2 with changes, 0 without', async () => {
    const changes = await gate('redirect-uri-added', reviewed);
    expect(changes.code).toBe(2);
    expect(changes.stderr).toBe('');
    expect(changes.stdout).toContain(`digest ${reviewed}\n\nMatches the reviewed digest.\n`);
    expect((await gate('no-changes', unchanged)).code).toBe(0);
  });

  test('another plan exits 3, and the log says both digests and what this plan would do, in the report words', async () => {
    const result = await gate('danger-redirect-uri-removed', reviewed);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(`^error: the plan is not the one that was reviewed \\(reviewed digest ${reviewed}, this plan [0-9a-f]{64}\\): nothing of it may be applied; plan again and have the new report reviewed\n`),
    );
    expect(result.stderr).toContain('    ! redirect URI https://restore.example.com:4443 will be removed: the Restore Portal at that address can no longer sign users in\n');
    expect(result.stderr).toContain('    update: redirect URI https://portal.example.com:4443 added\n');
    expect(result.stdout).toContain(`Does NOT match the reviewed digest ${reviewed}: not the plan that was reviewed.`);
  });

  test('a plan of no changes is not the reviewed plan of some changes either', async () => {
    expect((await gate('no-changes', reviewed)).code).toBe(3);
  });

  describe('with the reviewed JSON report (--reviewed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reviewed-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    /** The JSON report of a review of `plan`, saved as the review job saves it. */
    const reviewOf = async (plan: unknown) => {
      const planFile = join(dir, 'reviewed-plan.json');
      writeFileSync(planFile, JSON.stringify(plan));
      const reportFile = join(dir, `review-${Math.random().toString(36).slice(2)}.json`);
      await reviewCommand('plan', ['--plan-json', planFile, '--env', 'prod', '--json-out', reportFile], { ...streams(), projectRoot: REPO_ROOT });
      return { reportFile, digest: JSON.parse(readFileSync(reportFile, 'utf8')).digest as string };
    };
    const gateWith = async (fixture: unknown, review: { reportFile: string; digest: string }) => {
      const io = streams();
      const planFile = join(dir, 'new-plan.json');
      writeFileSync(planFile, JSON.stringify(fixture));
      const argv = ['--plan-json', planFile, '--env', 'prod', '--expect-digest', review.digest, '--reviewed', review.reportFile];
      const code = await reviewCommand('plan', argv, { ...io, projectRoot: REPO_ROOT });
      return { code, ...io.out };
    };

    test('a mismatch names the lines new since the review and those no longer planned', async () => {
      const review = await reviewOf(planFixture('redirect-uri-added'));
      const result = await gateWith(planFixture('danger-redirect-uri-removed'), review);
      expect(result.code).toBe(3);
      expect(result.stderr.split('\n').slice(1)).toEqual([
        '  prod:',
        '    new since the review:',
        '      ! redirect URI https://restore.example.com:4443 will be removed: the Restore Portal at that address can no longer sign users in',
        '      update: redirect URI https://portal.example.com:4443 added',
        '      update: redirect URI https://restore.example.com:4443 removed',
        '    reviewed, no longer planned:',
        '      update: redirect URI https://restore2.example.com:4443 added',
        '',
      ]);
    });

    test('a mismatch the report has no words for says so', async () => {
      const review = await reviewOf(planFixture('redirect-uri-added'));
      const plan = planFixture('redirect-uri-added');
      plan.resource_changes.find((c: any) => c.change.actions[0] === 'update').change.after.timeouts = { update: '10m' };
      const result = await gateWith(plan, review);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        '\n  prod: the same lines as reviewed, but a value the report does not show differs (a sensitive value, one known only after apply, or an attribute it does not word)\n',
      );
    });

    test('text from a hostile report cannot start a log line of its own', async () => {
      const review = await reviewOf(planFixture('redirect-uri-added'));
      const report = JSON.parse(readFileSync(review.reportFile, 'utf8'));
      report.environments[0].changes[0].message = 'added\n::error title=fake::approved';
      report.environments.push({ environment: 'x\n::warning::y', digest: DIGEST, dangers: [], changes: [] });
      writeFileSync(review.reportFile, JSON.stringify(report));
      const result = await gateWith(planFixture('no-changes'), review);
      expect(result.stderr).toContain('      update: added\\u000a::error title=fake::approved\n');
      expect(result.stderr).toContain('  x\\u000a::warning::y: reviewed, but not planned in this run\n');
      expect(result.stderr.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
    });

    test('the reviewed plan still passes', async () => {
      const review = await reviewOf(planFixture('redirect-uri-added'));
      expect((await gateWith(planFixture('redirect-uri-added'), review)).code).toBe(2);
    });

    test('a reviewed report of another digest, or a file that is no report, is refused before planning', async () => {
      const review = await reviewOf(planFixture('redirect-uri-added'));
      const io = streams();
      const other = ['--plan-json', join(PLANS, 'no-changes.json'), '--env', 'prod', '--expect-digest', DIGEST, '--reviewed', review.reportFile];
      await expect(reviewCommand('plan', other, { ...io, projectRoot: REPO_ROOT })).rejects.toThrow(
        new UserError(`--reviewed ${review.reportFile}: has digest ${review.digest}, not the --expect-digest ${DIGEST}; give the report that digest comes from`),
      );
      const notReport = ['--plan-json', join(PLANS, 'no-changes.json'), '--env', 'prod', '--expect-digest', DIGEST, '--reviewed', join(PLANS, 'no-changes.json')];
      await expect(reviewCommand('plan', notReport, { ...io, projectRoot: REPO_ROOT })).rejects.toThrow(/is not the JSON report of npm run plan/);
    });
  });

  test('the JSON report carries both digests and exit code 3', async () => {
    const json = JSON.parse((await gate('no-changes', reviewed, 'json')).stdout);
    expect(json).toMatchObject({ exitCode: 3, digest: unchanged, expectedDigest: reviewed });
    expect(json.environments[0].digest).toBe(unchanged);
  });
});

describe('plan and drift with terraform (a stand-in on PATH)', () => {
  const project = new TestProject();
  project.writeEnvironment('prod', validInput({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER }));
  project.writeEnvironment('test', validInput({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER }));
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
      `-chdir=${stackDir} plan -input=false -no-color -detailed-exitcode -lock=false -out=plan.tfplan`,
      `-chdir=${stackDir} show -json plan.tfplan`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^prod: 14 changes outside Terraform, 14 changes to apply\n  Changed outside Terraform\n/);
    expect(result.stdout).toContain('redirect URI https://x.example.com:4443 added outside Terraform');
    expect(result.stderr).toBe('prod: terraform init\nprod: terraform plan\nprod: terraform show\n');
  });

  test('plans every environment when none is named; exit 0 when nothing changes', async () => {
    const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'real-no-changes.json') });
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

  test('a plan that is not the reviewed one leaves no saved plan to apply; the reviewed one keeps it', async () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'redirect-uri-added.json') };
    const planFile = join(project.root, 'cdktf.out/stacks/prod/plan.tfplan');
    const reviewed = JSON.parse((await run('plan', ['prod', '--format', 'json'], variables)).stdout).digest;
    expect((await run('plan', ['prod', '--expect-digest', reviewed], variables)).code).toBe(2);
    expect(existsSync(planFile)).toBe(true);
    const other = await run('plan', ['prod', '--expect-digest', reviewed], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'danger-redirect-uri-removed.json') });
    expect(other.code).toBe(3);
    expect(existsSync(planFile)).toBe(false);
  });

  test('--json-out writes the JSON report next to the report printed, for CI to read', async () => {
    const out = join(project.root, 'report.json');
    const result = await run('plan', ['prod', '--format', 'markdown', '--json-out', out], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'redirect-uri-added.json') });
    expect(result.stdout).toMatch(/^### Restore Portal plan: `prod`/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ command: 'plan', exitCode: 2, environments: [expect.objectContaining({ environment: 'prod', hasChanges: true })] });
    expect(result.stdout).toContain(`Plan digest: \`${json.digest}\``);
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

  test('a registration deleted in Entra is told plainly, with what to do, as an error (exit 1)', async () => {
    const errors = join(terraform.dir, 'deleted-registration.txt');
    writeFileSync(
      errors,
      '╷\n│ Error: Instance cannot be destroyed\n│ \n│   on cdk.tf.json line 243, in resource.azuread_service_principal.portal:\n│ \n│ Resource azuread_service_principal.portal has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.\n╵\n',
    );
    const failure = run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_ERRORS: errors });
    await expect(failure).rejects.toThrow(UserError);
    await expect(failure).rejects.toThrow(/^prod: the application registration was deleted in Entra \(terraform: Instance cannot be destroyed, azuread_service_principal\.portal\)\. .*Deleted applications/);
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

  test('plan --expect-digest exits 3 on another plan, with no stack trace', () => {
    const result = node('cli/plan.ts', ['--plan-json', join(PLANS, 'no-changes.json'), '--env', 'prod', '--expect-digest', DIGEST]);
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^error: the plan is not the one that was reviewed \\(reviewed digest ${DIGEST}, this plan [0-9a-f]{64}\\)`));
    expect(result.stderr).toMatch(/\n {2}prod \(digest [0-9a-f]{12}\) would now: change nothing\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test('drift exits 0 on a plan that real Terraform called "No changes"', () => {
    const result = node('cli/drift.ts', ['--plan-json', join(PLANS, 'real-no-changes.json'), '--env', 'example']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^example: no changes: Entra matches the code\n {2}digest [0-9a-f]{64}\n$/);
    expect(result.status).toBe(0);
  });

  test('plan refuses a file that is not plan JSON in one line, exit 1, no stack trace', () => {
    const result = node('cli/plan.ts', ['--plan-json', 'package.json', '--env', 'prod']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: package.json: is not Terraform plan JSON (no format_version); make it with terraform show -json <planfile>\n');
  });
});
