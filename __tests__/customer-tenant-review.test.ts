import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorsFor } from '../lib/process/command-line';
import { reviewCommand } from '../lib/review/plan-review';
import { formatReports } from '../lib/review/report/plan-report-format';
import { CONTOSO, FABRIKAM, REPO_ROOT, TestProject, validInput } from './support/builders';
import { temporaryFolder } from './support/clean-up';
import { planFixture, PLANS, reportOf, standInTerraform } from './support/plans';
import { PROCESS_TIMEOUT } from './support/timeouts';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const CROSS_STACK_OUTPUT = 'cross-stack-output-azuread_application_registrationportalclient_id';

/** The first plan of an environment with customer tenants: the output its tenant stacks read is new too. */
function firstPlanWithTenants(): any {
  const plan = planFixture('new-environment');
  plan.output_changes[CROSS_STACK_OUTPUT] = { actions: ['create'], before: null, after_unknown: true, before_sensitive: false, after_sensitive: true };
  return plan;
}

describe('plan and drift of customer tenant stacks (a stand-in terraform on PATH)', () => {
  const project = new TestProject();
  project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO, FABRIKAM] }));
  const terraform = standInTerraform();
  const firstPlan = join(terraform.dir, 'first-plan.json');
  writeFileSync(firstPlan, JSON.stringify(firstPlanWithTenants()));
  const run = async (variables: Record<string, string>, extra: string[] = [], kind: 'plan' | 'drift' = 'drift') => {
    const out = { stdout: '', stderr: '' };
    const code = await reviewCommand(kind, ['prod', '--format', 'json', ...extra], {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      projectRoot: project.root,
      env: { PATH: `${terraform.dir}:/usr/bin:/bin`, TF_PLUGIN_CACHE_DIR: join(terraform.dir, 'plugin-cache'), ...variables },
    });
    return { code, json: JSON.parse(out.stdout) };
  };
  const stackDir = (stack: string) => join(project.root, 'cdktf.out/stacks', stack);
  const plannedStacks = (step = 'plan') =>
    readFileSync(terraform.log, 'utf8')
      .trim()
      .split('\n')
      .filter((call) => call.includes(` ${step} `))
      .map((call) => call.slice(call.indexOf('/stacks/') + '/stacks/'.length, call.indexOf(' ')));
  beforeEach(() => {
    rmSync(terraform.log, { force: true });
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
  });
  afterAll(() => {
    project.remove();
    rmSync(terraform.dir, { recursive: true, force: true });
  });

  test("are planned after their environment's stack, each with its own report", async () => {
    const result = await run({ FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    const [first, ...tenants] = plannedStacks();
    expect(first).toBe('prod');
    expect(tenants.sort()).toEqual(['prod-tenant-contoso', 'prod-tenant-fabrikam']);
    expect(result.json.environments.map((e: any) => [e.environment, e.hasChanges])).toEqual([
      ['prod', false],
      ['prod-tenant-contoso', false],
      ['prod-tenant-fabrikam', false],
    ]);
    expect(result.code).toBe(0);
  }, PROCESS_TIMEOUT);

  test('wait, unplanned, while the environment is not applied: their plan could only fail on the missing client ID', async () => {
    mkdirSync(stackDir('prod-tenant-contoso'), { recursive: true });
    writeFileSync(join(stackDir('prod-tenant-contoso'), 'plan.tfplan'), 'an older plan');
    const result = await run({ FAKE_TERRAFORM_PLAN_JSON: firstPlan }, [], 'plan');
    expect(plannedStacks()).toEqual(['prod']);
    expect(result.code).toBe(2);
    const [home, contoso] = result.json.environments;
    expect(home.changes).toContainEqual({
      address: `output.${CROSS_STACK_OUTPUT}`,
      type: 'output',
      action: 'create',
      message: 'client ID output for the customer tenant stacks added',
    });
    expect(contoso).toMatchObject({ environment: 'prod-tenant-contoso', hasChanges: true, dangers: [], drift: [] });
    expect(contoso.changes).toEqual([
      {
        address: 'prod-tenant-contoso',
        type: 'stack',
        action: 'create',
        message: "not planned yet: this stack reads the application's client ID from the state of prod, which has it once prod is applied; apply prod, then plan again",
      },
    ]);
    // CI applies every saved plan it finds: an older one must not stand in for the plan not made.
    expect(existsSync(join(stackDir('prod-tenant-contoso'), 'plan.tfplan'))).toBe(false);
  }, PROCESS_TIMEOUT);

  test("are not planned when their environment's plan fails, and say so", async () => {
    const result = await run({ FAKE_TERRAFORM_FAIL_STACK: 'prod', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') });
    expect(plannedStacks()).toEqual(['prod']);
    expect(result.code).toBe(1);
    expect(result.json.environments.map((e: any) => [e.environment, e.failure])).toEqual([
      ['prod', 'terraform plan failed: Error: Error acquiring the state lock'],
      ['prod-tenant-contoso', 'the plan of prod failed; fix it and plan again'],
      ['prod-tenant-fabrikam', 'the plan of prod failed; fix it and plan again'],
    ]);
  }, PROCESS_TIMEOUT);

  describe('in a shard without their environment (--shard)', () => {
    const variables = { FAKE_TERRAFORM_PLAN_EXIT: '0', FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json') };
    const outputs = (json: object) => {
      mkdirSync(stackDir('prod'), { recursive: true });
      writeFileSync(join(stackDir('prod'), 'fake-outputs.json'), JSON.stringify(json));
    };

    test("are planned when the environment's state has the client ID output; the environment is read, not planned", async () => {
      // synth rewrites cdktf.out; the stand-in reads the outputs from the stack folder, kept by synth.
      outputs({ [CROSS_STACK_OUTPUT]: { value: '0d3f5a6b-0000-4000-8000-000000000000', type: 'string', sensitive: true } });
      const result = await run(variables, ['--shard', '2/2']);
      expect(result.json.environments.map((e: any) => e.environment)).toEqual(['prod-tenant-contoso', 'prod-tenant-fabrikam']);
      expect(plannedStacks().sort()).toEqual(['prod-tenant-contoso', 'prod-tenant-fabrikam']);
      expect(plannedStacks('output')).toEqual(['prod']);
      expect(existsSync(join(stackDir('prod'), 'plan.tfplan'))).toBe(false);
      expect(result.code).toBe(0);
    }, PROCESS_TIMEOUT);

    test('an environment whose azurerm state was never made: its empty state has no client ID, so each tenant stack waits for its apply', async () => {
      const result = await run({ ...variables, FAKE_TERRAFORM_NO_STATE: 'prod' }, ['--shard', '2/2']);
      expect(plannedStacks()).toEqual([]);
      expect(result.json.environments.map((e: any) => [e.failure, e.changes[0].message])).toEqual([
        [null, "not planned yet: this stack reads the application's client ID from the state of prod, which has it once prod is applied; apply prod, then plan again"],
        [null, "not planned yet: this stack reads the application's client ID from the state of prod, which has it once prod is applied; apply prod, then plan again"],
      ]);
    }, PROCESS_TIMEOUT);

    test("wait while the environment's state lacks it", async () => {
      outputs({ application_id: { value: '0d3f5a6b-0000-4000-8000-000000000000', type: 'string', sensitive: false } });
      const result = await run(variables, ['--shard', '2/2']);
      expect(plannedStacks()).toEqual([]);
      expect(result.json.environments.map((e: any) => e.changes[0].message)).toEqual([
        "not planned yet: this stack reads the application's client ID from the state of prod, which has it once prod is applied; apply prod, then plan again",
        "not planned yet: this stack reads the application's client ID from the state of prod, which has it once prod is applied; apply prod, then plan again",
      ]);
    }, PROCESS_TIMEOUT);
  });
});

test('a plan report names the shared client ID output for what it is', () => {
  const plan = planFixture('no-changes');
  plan.output_changes[CROSS_STACK_OUTPUT] = { actions: ['delete'], before: 'x', after: null, before_sensitive: true, after_sensitive: false };
  expect(reportOf(plan).changes.map((c) => c.message)).toEqual(['client ID output for the customer tenant stacks removed']);
});

describe('apply.yml', () => {
  /** The shell of the workflow step named `name`: the lines of its `run: |` block, unindented. */
  function stepScript(workflow: string, name: string): string {
    const lines = readFileSync(join(REPO_ROOT, '.github/workflows', workflow), 'utf8').split('\n');
    const start = lines.findIndex((line) => line.trim() === `- name: ${name}`);
    const run = lines.findIndex((line, i) => i > start && line.trim() === 'run: |');
    const indent = lines[run + 1].length - lines[run + 1].trimStart().length;
    const body = lines.slice(run + 1);
    const end = body.findIndex((line) => line.trim() !== '' && line.length - line.trimStart().length < indent);
    return body.slice(0, end).map((line) => line.slice(indent)).join('\n');
  }

  test("applies the environment's saved plan first, then its tenant stacks', and names those that waited", () => {
    const root = temporaryFolder('apply-step-');
    for (const stack of ['prod', 'prod-tenant-contoso', 'prod-tenant-fabrikam', 'production']) mkdirSync(join(root, 'cdktf.out/stacks', stack), { recursive: true });
    for (const stack of ['prod', 'prod-tenant-contoso', 'production']) writeFileSync(join(root, 'cdktf.out/stacks', stack, 'plan.tfplan'), '');
    // The gate's report (planned.json) lists the environment's stacks, not "production".
    const gated = ['prod-tenant-contoso', 'prod', 'prod-tenant-fabrikam'].map((stack) => reportOf(planFixture('redirect-uri-added'), stack));
    writeFileSync(join(root, 'planned.json'), formatReports(gated, 'plan', 'json', colorsFor({})));
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin/terraform'), '#!/bin/sh\necho "terraform $*"\n', { mode: 0o755 });
    const result = spawnSync('bash', ['-e', '-c', stepScript('apply.yml', 'Apply the gated plans')], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, ENVIRONMENT: 'prod' },
    });
    expect(result.stdout.trim().split('\n')).toEqual([
      // Each line of terraform's output starts with its stack (so none can be a workflow command).
      'prod: terraform -chdir=cdktf.out/stacks/prod apply -input=false -no-color plan.tfplan',
      '::notice title=prod-tenant-fabrikam not applied::it is planned once prod is applied: run apply again',
      'prod-tenant-contoso: terraform -chdir=cdktf.out/stacks/prod-tenant-contoso apply -input=false -no-color plan.tfplan',
    ]);
    expect(result.status).toBe(0);
  }, PROCESS_TIMEOUT);
});
