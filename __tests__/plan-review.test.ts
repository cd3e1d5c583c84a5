import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { parseReviewArguments, reviewCommand } from '../lib/review/plan-review';
import { matrixJobs, shardOf } from '../lib/review/plan-shards';
import { CONTOSO, REPO_ROOT, TestProject, validInput } from './support/builders';
import { onCleanUp, temporaryFolder } from './support/clean-up';
import { PLANS, planFixture, standInTerraform } from './support/plans';
import { readPlanJson } from '../lib/review/report/terraform-plan';
import { PROCESS_TIMEOUT } from './support/timeouts';

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

  test('read a saved plan with --plan-json, labelled by the environment named', () => {
    expect(parseReviewArguments('drift', ['--plan-json', 'plan.json', 'prod', '--format', 'json'])).toEqual({
      kind: 'drift',
      format: 'json',
      source: 'saved plan',
      planJson: 'plan.json',
      environment: 'prod',
    });
  });

  test('take the reviewed digest with --expect-digest, for a saved plan too, and a file for the JSON report with --out', () => {
    expect(parseReviewArguments('plan', ['prod', '--expect-digest', DIGEST.toUpperCase(), '--out', 'r.json'])).toMatchObject({
      source: 'terraform',
      expectDigest: DIGEST,
      out: 'r.json',
    });
    expect(parseReviewArguments('plan', ['--plan-json', 'p.json', 'prod', '--expect-digest', DIGEST])).toMatchObject({ source: 'saved plan', expectDigest: DIGEST });
  });

  test.each([
    [['--expect-digest', 'abc123'], /^--expect-digest must be the 64 hex digits of a reviewed plan's digest \(its report's "digest"\); got "abc123"$/],
    [['--expect-digest', `${'a'.repeat(63)}g`], /^--expect-digest must be the 64 hex digits/],
    [['--plan-json', 'plan.json'], /^--plan-json needs the environment the plan is of: --plan-json <file> <environment>$/],
    [['prod', '--plan-json', 'p.json', 'test'], /^--plan-json reads the saved plan of one environment; name one \(got prod, test\)$/],
    [['--format', 'html'], /^--format must be one of text, markdown, json; got "html"$/],
    [['--verbose'], /^unknown option --verbose$/],
    [['--parallel', '0'], /^--parallel takes a whole number of stacks from 1 to 64; got "0"$/],
    [['--parallel', '1e3'], /^--parallel takes a whole number of stacks from 1 to 64; got "1e3"$/],
    [['--parallel', '65'], /^--parallel takes a whole number of stacks from 1 to 64; got "65"$/],
    [['--shard', '3/2'], /^--shard takes K\/N, part K of N \(1 <= K <= N\), as --matrix lists them; got "3\/2"$/],
    [['--shard', '0/2'], /^--shard takes K\/N/],
    [['--shard', '1/0'], /^--shard takes K\/N/],
    [['--shard', '../2'], /^--shard takes K\/N/],
    [['--plan-json', 'p.json', 'prod', '--parallel', '4'], /^--plan-json reads one saved plan and runs no terraform; drop --parallel$/],
    [['--matrix', '--shard', '1/2'], /^--matrix lists the jobs of a CI run and plans nothing; drop --shard$/],
  ])('refuse %j with a usage message', (argv, message) => {
    expect(() => parseReviewArguments('plan', argv)).toThrow(UserError);
    expect(() => parseReviewArguments('plan', argv)).toThrow(message);
  });

  test('take the environments whose new registration is acknowledged at the gate, comma-separated or repeated', () => {
    expect(parseReviewArguments('plan', ['prod', '--expect-digest', DIGEST, '--accept-new-registration', 'prod, test', '--accept-new-registration', 'x'])).toMatchObject({
      acceptNewRegistration: ['prod', 'test', 'x'],
    });
    expect(() => parseReviewArguments('plan', ['prod', '--accept-new-registration', 'prod'])).toThrow(
      /^--accept-new-registration acknowledges a new registration at the gate before an apply and goes with --expect-digest <reviewed digest>$/,
    );
    expect(() => parseReviewArguments('plan', ['prod', '--expect-digest', DIGEST, '--accept-new-registration', ' , '])).toThrow(
      /^--accept-new-registration names the environments whose new registration is acknowledged; got none$/,
    );
  });

  test('take --reviewed only with --expect-digest', () => {
    expect(() => parseReviewArguments('plan', ['--reviewed', 'r.json'])).toThrow(/^--reviewed names what differs from a reviewed report and goes with --expect-digest <its digest>$/);
  });

  test('keep --expect-digest to plan, which gates an apply', () => {
    expect(() => parseReviewArguments('drift', ['--expect-digest', DIGEST])).toThrow(/^unknown option --expect-digest$/);
  });
});

describe('the spellings of the last release', () => {
  const dir = mkdtempSync(join(tmpdir(), 'old-spellings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--plan-json F --env E and --json-out F still work, each with one warning line naming the new spelling', async () => {
    const run = async (argv: string[], out: string) => {
      const io = streams();
      const code = await reviewCommand('drift', ['--plan-json', join(PLANS, 'drift-every-kind.json'), ...argv, out], { ...io, projectRoot: REPO_ROOT });
      return { code, ...io.out, report: JSON.parse(readFileSync(out, 'utf8')) };
    };
    const old = await run(['--env', 'prod', '--json-out'], join(dir, 'old.json'));
    const current = await run(['prod', '--out'], join(dir, 'new.json'));
    expect(old).toEqual({ ...current, stderr: expect.any(String) });
    expect(current.stderr).toBe('');
    expect(old.stderr).toBe(
      [
        'warning: --env prod is deprecated and goes in the next release; write the environment name alone: prod',
        `warning: --json-out is deprecated and goes in the next release; write --out ${join(dir, 'old.json')}`,
        '',
      ].join('\n'),
    );
    expect(old.report.environments[0].environment).toBe('prod');
  });
});

describe('the --expect-digest gate on a saved plan', () => {
  const reviewed = readPlanJson(readFileSync(join(PLANS, 'redirect-uri-added.json'), 'utf8'), 'plan.json').digest;
  const unchanged = readPlanJson(readFileSync(join(PLANS, 'no-changes.json'), 'utf8'), 'plan.json').digest;
  const gate = async (fixture: string, expected: string, format = 'text') => {
    const io = streams();
    const argv = ['--plan-json', join(PLANS, `${fixture}.json`), 'prod', '--expect-digest', expected, '--format', format];
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
      await reviewCommand('plan', ['--plan-json', planFile, 'prod', '--out', reportFile], { ...streams(), projectRoot: REPO_ROOT });
      return { reportFile, digest: JSON.parse(readFileSync(reportFile, 'utf8')).digest as string };
    };
    const gateWith = async (fixture: unknown, review: { reportFile: string; digest: string }) => {
      const io = streams();
      const planFile = join(dir, 'new-plan.json');
      writeFileSync(planFile, JSON.stringify(fixture));
      const argv = ['--plan-json', planFile, 'prod', '--expect-digest', review.digest, '--reviewed', review.reportFile];
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
      const other = ['--plan-json', join(PLANS, 'no-changes.json'), 'prod', '--expect-digest', DIGEST, '--reviewed', review.reportFile];
      await expect(reviewCommand('plan', other, { ...io, projectRoot: REPO_ROOT })).rejects.toThrow(
        new UserError(`--reviewed ${review.reportFile}: has digest ${review.digest}, not the --expect-digest ${DIGEST}; give the report that digest comes from`),
      );
      const notReport = ['--plan-json', join(PLANS, 'no-changes.json'), 'prod', '--expect-digest', DIGEST, '--reviewed', join(PLANS, 'no-changes.json')];
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
  const cache = join(terraform.dir, 'plugin-cache');
  const env = (variables: Record<string, string>) => ({ PATH: `${terraform.dir}:/usr/bin:/bin`, TF_PLUGIN_CACHE_DIR: cache, ...variables });
  const run = (kind: 'plan' | 'drift', argv: string[], variables: Record<string, string>) => {
    const io = streams();
    const done = reviewCommand(kind, argv, { ...io, projectRoot: project.root, env: env(variables) });
    return done.then((code) => ({ code, ...io.out }));
  };
  const logLines = (name: string) => readFileSync(join(terraform.dir, name), 'utf8').trim().split('\n');
  beforeEach(() => {
    for (const log of ['calls.log', 'init.log', 'timeline.log', 'plan-modes.log', 'plan-write-modes.log']) rmSync(join(terraform.dir, log), { force: true });
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
      `-chdir=${stackDir} plan -input=false -no-color -detailed-exitcode -lock=false -out=.drift.tfplan`,
      `-chdir=${stackDir} show -json .drift.tfplan`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^prod: 14 changes outside Terraform, 14 changes to apply\n  Changed outside Terraform\n/);
    expect(result.stdout).toContain('redirect URI https://x.example.com:4443 added outside Terraform');
    expect(result.stderr).toBe('prod: terraform init\nprod: terraform plan\nprod: terraform show\n');
  }, PROCESS_TIMEOUT);

  test('plans every environment when none is named; exit 0 when nothing changes; progress per stack on stderr', async () => {
    const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'real-no-changes.json') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).environments.map((e: any) => [e.environment, e.hasChanges, e.failure])).toEqual([
      ['prod', false, null],
      ['test', false, null],
    ]);
    expect(result.stderr).toMatch(/^\[1\/2\] (prod|test): no changes$/m);
    expect(result.stderr).toMatch(/^\[2\/2\] (prod|test): no changes$/m);
  }, PROCESS_TIMEOUT);

  test('passes an example (all-zero tenant) by and says so; a real tenant in example.ts is planned like any other', async () => {
    const examples = new TestProject();
    examples.writeEnvironment('demo', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    examples.writeEnvironment('example', validInput({ backend: AZURERM }));
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
  }, PROCESS_TIMEOUT);

  test('planning one environment keeps the saved plans of the others', async () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
    await run('plan', ['prod'], variables);
    await run('plan', ['test'], variables);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(true);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/test/plan.tfplan'))).toBe(true);
  }, PROCESS_TIMEOUT);

  test('a plan that is not the reviewed one leaves no saved plan to apply; the reviewed one keeps it', async () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'redirect-uri-added.json') };
    const planFile = join(project.root, 'cdktf.out/stacks/prod/plan.tfplan');
    const reviewed = JSON.parse((await run('plan', ['prod', '--format', 'json'], variables)).stdout).digest;
    expect((await run('plan', ['prod', '--expect-digest', reviewed], variables)).code).toBe(2);
    expect(existsSync(planFile)).toBe(true);
    const other = await run('plan', ['prod', '--expect-digest', reviewed], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'danger-redirect-uri-removed.json') });
    expect(other.code).toBe(3);
    expect(existsSync(planFile)).toBe(false);
  }, PROCESS_TIMEOUT);

  test('--out writes the JSON report next to the report printed, for CI to read', async () => {
    const out = join(project.root, 'report.json');
    const result = await run('plan', ['prod', '--format', 'markdown', '--out', out], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'redirect-uri-added.json') });
    expect(result.stdout).toMatch(/^### Restore Portal plan: `prod`/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toMatchObject({ command: 'plan', exitCode: 2, environments: [expect.objectContaining({ environment: 'prod', hasChanges: true })] });
    expect(result.stdout).toContain(`Plan digest: \`${json.digest}\``);
  }, PROCESS_TIMEOUT);

  test('--out refuses, before planning, to replace a file that is not a JSON report', async () => {
    const out = join(project.root, 'package.json');
    writeFileSync(out, '{ "name": "the-platform-teams-repository" }\n');
    await expect(run('plan', ['prod', '--out', out], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') })).rejects.toThrow(
      new UserError(`--out ${out}: is there and is not a JSON report of plan or drift; refusing to replace it: give another file, or remove it first`),
    );
    expect(readFileSync(out, 'utf8')).toBe('{ "name": "the-platform-teams-repository" }\n');
    expect(existsSync(join(terraform.dir, 'calls.log'))).toBe(false);
  });

  test('--out in a folder that does not exist is refused before planning, not after it', async () => {
    const out = join(project.root, 'no-such-folder', 'report.json');
    await expect(run('plan', ['prod', '--out', out], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') })).rejects.toThrow(
      new UserError(`--out ${out}: its folder cannot be used: no such file or folder (ENOENT); nothing was planned`),
    );
    expect(existsSync(join(terraform.dir, 'calls.log'))).toBe(false);
  });

  test('a failing init (no credentials, no network) is the stack\'s report, with Terraform\'s reason in one line; exit 1', async () => {
    const result = await run('plan', ['prod'], { FAKE_TERRAFORM_INIT_ERROR: 'Failed to get existing workspaces: authorizing request: no credentials', FAKE_TERRAFORM_INIT_DETAIL: '' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('prod: not planned: terraform init failed: Error: Failed to get existing workspaces: authorizing request: no credentials\n');
  }, PROCESS_TIMEOUT);

  describe('a stack never applied, planned by an identity that may only read the azurerm state', () => {
    const tenants = new TestProject();
    tenants.writeEnvironment('msp', validInput({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER, customerTenants: [CONTOSO] }));
    afterAll(() => tenants.remove());

    test('is planned against an empty state, writing none: its report says so first, and it leaves no plan file to apply', async () => {
      const result = await run('plan', ['prod', '--format', 'json'], { FAKE_TERRAFORM_NO_STATE: 'prod', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'new-environment.json') });
      const stackDir = join(project.root, 'cdktf.out/stacks/prod');
      const calls = logLines('calls.log');
      expect(calls[0]).toBe(`-chdir=${stackDir} init -input=false -no-color`);
      // The rest runs in a scratch copy of the stack folder without its backend, named as the stack.
      const copy = /^-chdir=(\S+\/prod) init /.exec(calls[1])?.[1];
      expect(copy).toMatch(new RegExp(`^${tmpdir()}/restore-portal-empty-state-[^/]+/prod$`));
      expect(calls.slice(1)).toEqual([
        `-chdir=${copy} init -input=false -no-color`,
        `-chdir=${copy} plan -input=false -no-color -detailed-exitcode -lock=false -out=plan.tfplan`,
        `-chdir=${copy} show -json plan.tfplan`,
      ]);
      expect(result.code).toBe(2);
      const [report] = JSON.parse(result.stdout).environments;
      expect(report.failure).toBeNull();
      expect(report.changes[0]).toEqual({
        address: 'prod',
        type: 'stack',
        action: 'create',
        message: 'no state yet: prod was never applied, so it was planned against an empty state (none written); applying creates its state',
      });
      expect(report.changes.length).toBeGreaterThan(1);
      expect(result.stderr).toContain('prod: no state yet: planning against an empty state, writing none\n');
      // The stack's own folder keeps its backend and gets no plan that apply could pick up; the copy is gone.
      expect(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')).terraform.backend).toHaveProperty('azurerm');
      expect(existsSync(join(stackDir, 'plan.tfplan'))).toBe(false);
      // Its scratch folder, not a listing of the temporary folder: other tests (and other runs) make theirs there too.
      expect(existsSync(dirname(copy!))).toBe(false);
    }, PROCESS_TIMEOUT);

    test('the same plan, made again by the writing identity once its init has created the state, has the same digest: the apply gate passes', async () => {
      const variables = { FAKE_TERRAFORM_NO_STATE: 'prod', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'new-environment.json') };
      const reviewed = JSON.parse((await run('plan', ['prod', '--format', 'json'], variables)).stdout).digest;
      rmSync(join(terraform.dir, 'states-created'), { force: true });
      const gate = await run('plan', ['prod', '--expect-digest', reviewed, '--accept-new-registration', 'prod'], { ...variables, FAKE_TERRAFORM_WRITER: '1' });
      expect(gate.code).toBe(2);
      expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(true);
      rmSync(join(terraform.dir, 'states-created'), { force: true });
    }, PROCESS_TIMEOUT);

    test('a new customer tenant stack is planned against an empty state while its environment reads its own', async () => {
      const io = streams();
      const variables = { FAKE_TERRAFORM_NO_STATE: 'msp-tenant-contoso', FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
      const code = await reviewCommand('plan', ['--format', 'json'], { ...io, projectRoot: tenants.root, env: env(variables) });
      expect(code).toBe(2);
      const reports = JSON.parse(io.out.stdout).environments;
      expect(reports.map((r: any) => [r.environment, r.failure, r.changes.map((c: any) => c.type)])).toEqual([
        ['msp', null, []],
        ['msp-tenant-contoso', null, ['stack']],
      ]);
      expect(existsSync(join(tenants.root, 'cdktf.out/stacks/msp/plan.tfplan'))).toBe(true);
      expect(existsSync(join(tenants.root, 'cdktf.out/stacks/msp-tenant-contoso/plan.tfplan'))).toBe(false);
    }, PROCESS_TIMEOUT);

    test('the apply gate (--expect-digest), whose plan is applied, does not plan around a missing state: its identity must create it', async () => {
      const variables = { FAKE_TERRAFORM_NO_STATE: 'prod', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'new-environment.json') };
      const reviewed = JSON.parse((await run('plan', ['prod', '--format', 'json'], variables)).stdout).digest;
      const gate = await run('plan', ['prod', '--expect-digest', reviewed, '--accept-new-registration', 'prod', '--format', 'json'], variables);
      expect(gate.code).toBe(3);
      expect(JSON.parse(gate.stdout).environments[0].failure).toMatch(/^the state of prod does not exist, .*: the identity that applies needs Storage Blob Data Contributor on the container;/);
      expect(logLines('calls.log').filter((call) => call.includes('restore-portal-empty-state-'))).toHaveLength(3);
    }, PROCESS_TIMEOUT);

    test('a state another run is creating right now (its lease is held) is reported as such, not planned; exit 1', async () => {
      const result = await run('plan', ['prod'], {
        FAKE_TERRAFORM_INIT_ERROR: 'Error loading state: failed to lock azure state: state blob is already locked (LeaseAlreadyPresent)',
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^prod: not planned: the state of prod is being created by another terraform run right now \(terraform: Error loading state: failed to lock azure state: state blob is already locked \(LeaseAlreadyPresent\)\); plan again once it has finished\.\n$/);
      expect(logLines('calls.log')).toHaveLength(1);
    }, PROCESS_TIMEOUT);
  });

  test('a failing init keeps the reason under its summary: the registry it could not reach', async () => {
    const result = await run('plan', ['prod'], {
      FAKE_TERRAFORM_INIT_ERROR: 'Failed to query available provider packages',
      FAKE_TERRAFORM_INIT_DETAIL: 'Could not retrieve the list of available versions for provider hashicorp/azuread: could not connect to registry.terraform.io: failed to request discovery document',
    });
    expect(result.stdout).toBe(
      'prod: not planned: terraform init failed: Error: Failed to query available provider packages: Could not retrieve the list of available versions for provider hashicorp/azuread: could not connect to registry.terraform.io: failed to request discovery document\n',
    );
  }, PROCESS_TIMEOUT);

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
  }, PROCESS_TIMEOUT);

  test('a failed stack reads as failed in markdown too, for the pull request comment', async () => {
    const result = await run('plan', ['prod', '--format', 'markdown'], { FAKE_TERRAFORM_FAIL_STACK: 'prod' });
    expect(result.stdout).toBe('### Restore Portal plan: `prod`\n\n❌ not planned: terraform plan failed: Error: Error acquiring the state lock\n\n');
  }, PROCESS_TIMEOUT);

  test('plans at most --parallel stacks at once', async () => {
    for (let i = 0; i < 4; i++) {
      const extra = project.writeEnvironment(`extra${i}`, validInput({ backend: AZURERM }));
      onCleanUp(() => rmSync(extra));
    }
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
  }, PROCESS_TIMEOUT);

  test('every stack shares one plugin cache; the first stack initialized lends its lock file so the others take providers from it', async () => {
    await run('plan', [], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    const inits = logLines('init.log');
    expect(inits[0]).toBe(`prod cache=${cache} lock=none`);
    expect(inits.slice(1)).toEqual([`test cache=${cache} lock=present`]);
    expect(existsSync(cache)).toBe(true);
  }, PROCESS_TIMEOUT);

  test("without the user's own cache, the cache is ~/.terraform.d/plugin-cache, created; one set in the CLI configuration is left to Terraform", async () => {
    const home = temporaryFolder('home-');
    await run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: '', HOME: home, FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(logLines('init.log')).toEqual([`prod cache=${join(home, '.terraform.d/plugin-cache')} lock=none`]);
    expect(existsSync(join(home, '.terraform.d/plugin-cache'))).toBe(true);

    rmSync(join(terraform.dir, 'init.log'));
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
    writeFileSync(join(home, '.terraformrc'), 'plugin_cache_dir = "/opt/terraform-cache"\n');
    await run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: '', HOME: home, FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(logLines('init.log')).toEqual(['prod cache= lock=none']);
  }, PROCESS_TIMEOUT);

  test('a relative TF_PLUGIN_CACHE_DIR is the folder below where npm was run, not below each stack folder', async () => {
    await run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: 'relative-cache', INIT_CWD: terraform.dir, FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(logLines('init.log')).toEqual([`prod cache=${join(terraform.dir, 'relative-cache')} lock=none`]);
    expect(existsSync(join(terraform.dir, 'relative-cache'))).toBe(true);
  }, PROCESS_TIMEOUT);

  test('a TF_PLUGIN_CACHE_DIR that cannot be a folder is one line, before any terraform runs', async () => {
    const file = join(terraform.dir, 'a-file');
    writeFileSync(file, '');
    await expect(run('plan', ['prod'], { TF_PLUGIN_CACHE_DIR: join(file, 'cache') })).rejects.toThrow(
      new UserError(`TF_PLUGIN_CACHE_DIR ${join(file, 'cache')}: cannot create the folder (ENOTDIR); set TF_PLUGIN_CACHE_DIR to a folder you can write`),
    );
    expect(existsSync(join(terraform.dir, 'calls.log'))).toBe(false);
  });

  test('a registration deleted in Entra is told plainly, with what to do, as the stack\'s report (exit 1)', async () => {
    const errors = join(terraform.dir, 'deleted-registration.txt');
    writeFileSync(
      errors,
      '╷\n│ Error: Instance cannot be destroyed\n│ \n│   on cdk.tf.json line 243, in resource.azuread_service_principal.portal:\n│ \n│ Resource azuread_service_principal.portal has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.\n╵\n',
    );
    const result = await run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_ERRORS: errors });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^prod: not planned: the application registration was deleted in Entra \(terraform: Instance cannot be destroyed, azuread_service_principal\.portal\)\. .*Deleted applications/);
  }, PROCESS_TIMEOUT);

  test('terraform missing from PATH says how to get it, once for the whole run', async () => {
    const io = streams();
    const empty = temporaryFolder('no-terraform-');
    const done = reviewCommand('plan', [], { ...io, projectRoot: project.root, env: { PATH: empty, TF_PLUGIN_CACHE_DIR: cache } });
    await expect(done).rejects.toThrow(new UserError('terraform not found on PATH: install Terraform 1.11 (in GitHub Actions: hashicorp/setup-terraform)'));
    rmSync(empty, { recursive: true });
  }, PROCESS_TIMEOUT);

  describe('saved plan files', () => {
    const stackFile = (stack: string, name = 'plan.tfplan') => join(project.root, 'cdktf.out/stacks', stack, name);
    const modeOf = (file: string) => statSync(file).mode & 0o777;

    test('plan saves plan.tfplan readable by its owner only, from before terraform writes it', async () => {
      const result = await run('plan', ['prod'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(result.code).toBe(0);
      // As terraform plan wrote into it (keeping the mode of the file there), and as terraform show found it.
      expect(logLines('plan-write-modes.log')).toEqual(['prod 600']);
      expect(logLines('plan-modes.log')).toEqual(['prod 600']);
      expect(readFileSync(stackFile('prod'), 'utf8')).toBe('stand-in plan\n');
      expect(modeOf(stackFile('prod'))).toBe(0o600);
    }, PROCESS_TIMEOUT);

    test('drift reads its plan and keeps none; a plan.tfplan that plan saved earlier is left as it was', async () => {
      mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
      writeFileSync(stackFile('prod'), 'the reviewed plan');
      const result = await run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(result.code).toBe(0);
      expect(logLines('plan-modes.log')).toEqual(['prod 600']);
      expect(readdirSync(join(project.root, 'cdktf.out/stacks/prod')).filter((name) => name.endsWith('.tfplan'))).toEqual(['plan.tfplan']);
      expect(readFileSync(stackFile('prod'), 'utf8')).toBe('the reviewed plan');
    }, PROCESS_TIMEOUT);

    test('whatever the output folder is called, git ignores the plan files saved in it', () => {
      const ignored = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        input: ['out/stacks/prod/plan.tfplan', 'build/stacks/prod/.drift.tfplan'].join('\n'),
      });
      expect(ignored.stdout.trim().split('\n')).toEqual(['out/stacks/prod/plan.tfplan', 'build/stacks/prod/.drift.tfplan']);
    }, PROCESS_TIMEOUT);

    test('a failed plan leaves no plan file, not even the errored one terraform saves', async () => {
      const errors = join(terraform.dir, 'errors.txt');
      writeFileSync(errors, '╷\n│ Error: Invalid reference\n╵\n');
      const result = await run('plan', ['prod'], { FAKE_TERRAFORM_PLAN_ERRORS: errors });
      expect(result.code).toBe(1);
      expect(existsSync(stackFile('prod'))).toBe(false);
      await run('drift', ['prod'], { FAKE_TERRAFORM_PLAN_ERRORS: errors });
      expect(existsSync(stackFile('prod', '.drift.tfplan'))).toBe(false);
    }, PROCESS_TIMEOUT);

    test('a plan.tfplan that is a folder: one line for that stack, the folder left alone, no stack trace', async () => {
      mkdirSync(stackFile('prod'), { recursive: true });
      const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).environments.map((e: any) => [e.environment, e.failure])).toEqual([
        ['prod', `${stackFile('prod')}: is a folder where terraform saves the stack's plan; remove or rename it, then plan again`],
        ['test', null],
      ]);
      expect(statSync(stackFile('prod')).isDirectory()).toBe(true);
    }, PROCESS_TIMEOUT);
  });

  describe('terraform show dying after it printed the plan', () => {
    const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAstandinsecretkeymaterial\n-----END RSA PRIVATE KEY-----\n';
    /** A plan as show -json prints it, on one line, holding a self-signed certificate's private key as state does. */
    const planWithKey = () => {
      const plan = planFixture('no-changes');
      plan.prior_state.values.root_module.resources.push({
        address: 'tls_private_key.portal',
        mode: 'managed',
        type: 'tls_private_key',
        name: 'portal',
        values: { algorithm: 'RSA', private_key_pem: KEY },
        sensitive_values: {},
      });
      const file = join(terraform.dir, 'plan-with-key.json');
      writeFileSync(file, JSON.stringify(plan));
      return file;
    };

    test('its output never becomes the failure reason: not in any report format, nor on stderr', async () => {
      const variables = { FAKE_TERRAFORM_PLAN_JSON: planWithKey(), FAKE_TERRAFORM_SHOW_EXIT: '1' };
      for (const format of ['text', 'markdown']) {
        const out = join(project.root, `report-${format}.json`);
        const result = await run('plan', ['prod', 'test', '--format', format, '--out', out], variables);
        expect(result.code).toBe(1);
        for (const text of [result.stdout, result.stderr, readFileSync(out, 'utf8')]) {
          expect(text).not.toContain('standinsecretkeymaterial');
          expect(text).not.toContain('format_version');
        }
        expect(result.stderr).toContain('prod: not planned: terraform show failed: no output (exit code only)');
      }
    }, PROCESS_TIMEOUT);

    test('a plan that is not the reviewed one (exit 3) leaves no plan file of a stack whose show failed, and does not call it "change nothing"', async () => {
      const result = await run('plan', ['prod', 'test', '--expect-digest', DIGEST], {
        FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json'),
        FAKE_TERRAFORM_SHOW_EXIT: '1',
        FAKE_TERRAFORM_SHOW_FAIL_STACK: 'test',
      });
      expect(result.code).toBe(3);
      expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(false);
      expect(existsSync(join(project.root, 'cdktf.out/stacks/test/plan.tfplan'))).toBe(false);
      expect(result.stderr).toContain('\n  test: not planned: terraform show failed: no output (exit code only)\n');
      expect(result.stderr).toMatch(/\n {2}prod \(digest [0-9a-f]{12}\) would now: change nothing\n/);
      expect(result.stderr).not.toMatch(/test \(digest/);
    }, PROCESS_TIMEOUT);
  });

  describe('what a run says before and after planning', () => {
    test('warnings print before the first stack is planned, not after all of them', async () => {
      const warned = project.writeEnvironment('warned', validInput({ backend: AZURERM }));
      onCleanUp(() => rmSync(warned));
      const result = await run('plan', ['warned'], { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
      const lines = result.stderr.split('\n');
      const warning = lines.findIndex((line) => line.startsWith('warning: environments/warned.ts'));
      expect(warning).toBeGreaterThanOrEqual(0);
      expect(warning).toBeLessThan(lines.indexOf('warned: terraform init'));
    }, PROCESS_TIMEOUT);

    test('a run where no stack was planned prints no digest to approve', async () => {
      const result = await run('plan', ['--format', 'json'], { FAKE_TERRAFORM_FAIL_STACK: 'prod', FAKE_TERRAFORM_PLAN_EXIT: '1' });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: 1, digest: null });
      const text = await run('plan', [], { FAKE_TERRAFORM_PLAN_EXIT: '1' });
      expect(text.stdout).not.toMatch(/digest/i);
    }, PROCESS_TIMEOUT);
  });

  describe('a plan that creates the registration, at the gate', () => {
    const variables = { FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'new-environment.json') };
    // One stack: the run's digest is its plan's.
    const digest = readPlanJson(readFileSync(join(PLANS, 'new-environment.json'), 'utf8'), 'plan.json').digest;

    test('is refused without an acknowledgement, even though it is the reviewed plan, and leaves no plan file to apply', async () => {
      const result = await run('plan', ['prod', '--expect-digest', digest, '--format', 'json'], variables);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: 1, digest, newRegistrationsNotAcknowledged: ['prod'] });
      expect(result.stderr.split('\n').slice(-2)).toEqual([
        'error: the plan creates the application registration of prod, with a new Application ID, and that was not acknowledged: nothing of it may be applied. For a first deployment, acknowledge it: --accept-new-registration prod (apply.yml: run apply by hand with new-registration: prod). Otherwise the state was lost (a changed backend key, path or workspace, or a deleted state): VB365 keeps the registration it has; bring the state back, then plan again.',
        '',
      ]);
      expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(false);
    }, PROCESS_TIMEOUT);

    test('passes with --accept-new-registration naming its environment, and keeps the plan file', async () => {
      const result = await run('plan', ['prod', '--expect-digest', digest, '--accept-new-registration', 'test,prod'], variables);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('Matches the reviewed digest.\n');
      expect(existsSync(join(project.root, 'cdktf.out/stacks/prod/plan.tfplan'))).toBe(true);
    }, PROCESS_TIMEOUT);

    test('an acknowledgement for another environment is none, and a mistyped one is said before planning', async () => {
      const result = await run('plan', ['prod', '--expect-digest', digest, '--accept-new-registration', 'test,prdo'], variables);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Matches the reviewed digest, but creates the application registration of prod without --accept-new-registration: not to be applied.\n');
      const lines = result.stderr.split('\n');
      const warning = lines.indexOf('warning: --accept-new-registration prdo acknowledges nothing: no such environment "prdo"; did you mean prod?');
      expect(warning).toBeGreaterThanOrEqual(0);
      expect(warning).toBeLessThan(lines.indexOf('prod: terraform init'));
      expect(result.stderr).not.toContain('--accept-new-registration test ');
    }, PROCESS_TIMEOUT);
  });
});

describe('--matrix: the CI jobs of a plan', () => {
  const project = new TestProject();
  const tenants = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ name: `customer${i}`, tenantId: `c0c0c0c0-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: tenants(120) }));
  project.writeEnvironment('test', validInput({ backend: AZURERM }));
  project.writeEnvironment('demo', validInput({ tenantId: EXAMPLE_TENANT_ID }));
  afterAll(() => project.remove());
  const matrix = async (argv: string[]) => {
    const io = streams();
    const code = await reviewCommand('plan', ['--matrix', ...argv], { ...io, projectRoot: project.root });
    return { code, jobs: JSON.parse(io.out.stdout) };
  };

  test('one job per environment, and one per 50 stacks of an environment with many customer tenants', async () => {
    const { code, jobs } = await matrix(['prod', 'test', 'prod']);
    expect(code).toBe(0);
    expect(jobs).toEqual([
      { environment: 'prod', shard: '1/3', name: 'prod-001' },
      { environment: 'prod', shard: '2/3', name: 'prod-002' },
      { environment: 'prod', shard: '3/3', name: 'prod-003' },
      { environment: 'test', shard: '1/1', name: 'test-001' },
    ]);
  });

  test('without names, every environment CI plans: examples are left out, as npm run environments does', async () => {
    const { jobs } = await matrix([]);
    expect(jobs.map((job: any) => job.name)).toEqual(['prod-001', 'prod-002', 'prod-003', 'test-001']);
  });

  test("more jobs than GitHub's 256 per matrix is an error that says so, not a run GitHub fails unexplained", () => {
    const environment = (name: string, customers: number) => ({ name, customerTenants: Array.from({ length: customers }) });
    expect(matrixJobs([environment('prod', 256 * 50 - 1)])).toHaveLength(256);
    expect(() => matrixJobs([environment('prod', 256 * 50 - 1), environment('test', 0)])).toThrow(
      new UserError('these environments need 257 CI jobs (one per environment, and one per 50 stacks), and GitHub runs at most 256 in a matrix: plan fewer environments in one workflow run'),
    );
  });

  test('an environment without a file, or a file with problems, is refused with every problem', async () => {
    await expect(matrix(['prdo'])).rejects.toThrow(new UserError('no such environment "prdo"; did you mean prod?'));
    const broken = project.writeEnvironment('broken', validInput({ tenantId: 'not a tenant ID' }));
    onCleanUp(() => rmSync(broken));
    await expect(matrix([])).rejects.toThrow(/^environments\/broken\.ts: tenantId: /);
  });
});

describe('the plan and drift commands (end to end)', () => {
  const node = (script: string, args: string[], extra: string[] = []) =>
    spawnSync(process.execPath, ['--require', './bin/register-ts.js', ...extra, script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  test('drift reads a saved plan without loading cdktf, prints the report and exits 2', () => {
    const guard = join(__dirname, 'support/forbid-cdktf.js');
    const result = node('cli/drift.ts', ['--plan-json', join(PLANS, 'drift-every-kind.json'), 'prod'], ['--require', guard]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('certificate 8081…F2FA deleted outside Terraform');
  }, PROCESS_TIMEOUT);

  test('plan --expect-digest exits 3 on another plan, with no stack trace', () => {
    const result = node('cli/plan.ts', ['--plan-json', join(PLANS, 'no-changes.json'), 'prod', '--expect-digest', DIGEST]);
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^error: the plan is not the one that was reviewed \\(reviewed digest ${DIGEST}, this plan [0-9a-f]{64}\\)`));
    expect(result.stderr).toMatch(/\n {2}prod \(digest [0-9a-f]{12}\) would now: change nothing\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, PROCESS_TIMEOUT);

  test('drift exits 0 on a plan that real Terraform called "No changes"', () => {
    const result = node('cli/drift.ts', ['--plan-json', join(PLANS, 'real-no-changes.json'), 'example']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^example: no changes: Entra matches the code\n {2}digest [0-9a-f]{64}\n$/);
    expect(result.status).toBe(0);
  }, PROCESS_TIMEOUT);

  test('plan refuses a file that is not plan JSON in one line, exit 1, no stack trace', () => {
    const result = node('cli/plan.ts', ['--plan-json', 'package.json', 'prod']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: package.json: is not Terraform plan JSON (no format_version); make it with terraform show -json <planfile>\n');
  }, PROCESS_TIMEOUT);
});
