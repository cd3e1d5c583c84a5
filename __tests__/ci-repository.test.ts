import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/builders';
import { installCommand, standInNpm } from './support/commands';
import { PLANS } from './support/plans';
import { platformRepository } from './support/platform-repository';

/**
 * Issue 21's repository through its workflows: the shell steps of environments.yml, plan.yml,
 * apply.yml, drift.yml and certs.yml, and the cloud-token action, run as GitHub runs them (each job
 * on a fresh checkout, $GITHUB_ENV read between steps), against the stand-in terraform. `prod` has a
 * certificate file and no state yet, `lab` a self-signed certificate (so CI leaves it alone; its
 * terraform would fail if it ever ran), `msp` two customers and its state in HCP Terraform.
 */

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly steps: Step[];
}
const workflow = (name: string): Record<string, Job> => parse(readFileSync(join(REPO_ROOT, '.github/workflows', name), 'utf8')).jobs;
const tokenAction = parse(readFileSync(join(REPO_ROOT, '.github/actions/cloud-token/action.yml'), 'utf8')).runs.steps[0].run as string;
const step = (job: Job, nameOrId: string) => job.steps.find((s) => s.name === nameOrId || s.id === nameOrId)!;

const project = platformRepository();
const tools = mkdtempSync(join(tmpdir(), 'ci-repository-tools-'));
/** Repository secrets; the GitHub environments' own come on top in the apply job. */
const SECRETS = { TF_TOKEN_app_terraform_io: 'read-token' };

beforeAll(() => {
  for (const name of ['environments', 'plan', 'drift', 'certs']) installCommand(project, name);
  copyFileSync(join(REPO_ROOT, 'main.ts'), join(project.root, 'main.ts'));
  standInNpm(tools, project.root);
  copyFileSync(join(__dirname, 'support/stand-in-terraform.sh'), join(tools, 'terraform'));
  writeFileSync(join(tools, 'gh'), '#!/bin/sh\necho "$GITHUB_SHA"\n');
  for (const tool of ['terraform', 'gh']) chmodSync(join(tools, tool), 0o755);
  // Plans as `terraform show -json` prints them, by stack: what a pull request for prod plans.
  mkdirSync(join(tools, 'plans'));
  copyFileSync(join(PLANS, 'redirect-uri-added.json'), join(tools, 'plans/prod.json'));
});
afterAll(() => {
  project.remove();
  rmSync(tools, { recursive: true, force: true });
});

/** What GitHub gives every step, and the stand-in terraform's script. */
const BASE = {
  PATH: `${tools}:/usr/bin:/bin`,
  TF_PLUGIN_CACHE_DIR: join(tools, 'plugin-cache'),
  FAKE_TERRAFORM_PLAN_JSON: join(PLANS, 'no-changes.json'),
  FAKE_TERRAFORM_PLAN_JSON_DIR: join(tools, 'plans'),
  // prod was never applied; lab's terraform fails, should anything ever plan it.
  FAKE_TERRAFORM_NO_STATE: 'prod',
  FAKE_TERRAFORM_FAIL_STACK: 'lab',
  GITHUB_REPOSITORY: 'contoso/platform-restore-portal',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: 'c'.repeat(40),
};

/** What jobs write into their checkout; a new job starts without any of it. */
const JOB_FILES = ['cdktf.out', 'review', 'reviews', 'planned.json', 'planned.md', 'report.md', 'report.json', 'errors.log', 'apply-errors.log'];

/**
 * One job on a fresh checkout (the project's files only, plus `files`, as a download would place
 * them): runs the given steps in order with the job's environment, the variables earlier steps wrote
 * to $GITHUB_ENV, and reports each step's outputs and summary.
 */
function runJob(env: Record<string, string>, steps: readonly Step[], files: Record<string, string> = {}) {
  for (const file of JOB_FILES) rmSync(join(project.root, file), { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(project.root, file, '..'), { recursive: true });
    writeFileSync(join(project.root, file), text);
  }
  const runner = mkdtempSync(join(tmpdir(), 'ci-repository-runner-'));
  const githubEnv: Record<string, string> = {};
  const results: { status: number | null; stdout: string; stderr: string; outputs: Record<string, string>; summary: string }[] = [];
  for (const s of steps) {
    for (const file of ['github-env', 'github-output', 'summary.md']) writeFileSync(join(runner, file), '');
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', s.uses === './.github/actions/cloud-token' ? tokenAction : s.run!], {
      cwd: project.root,
      encoding: 'utf8',
      // No stdin: bash given a socket there reads ~/.bashrc, as if started by ssh.
      stdio: ['ignore', 'pipe', 'pipe'],
      // A workflow step's own env holds ${{ }} expressions, which `env` gives evaluated; the token step's is ours.
      env: { ...BASE, ...env, ...(s.uses === './.github/actions/cloud-token' ? s.env : {}), ...githubEnv, GITHUB_ENV: join(runner, 'github-env'), GITHUB_OUTPUT: join(runner, 'github-output'), GITHUB_STEP_SUMMARY: join(runner, 'summary.md') },
    });
    const lines = (file: string) =>
      Object.fromEntries(
        readFileSync(join(runner, file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    Object.assign(githubEnv, lines('github-env'));
    results.push({ status: result.status, stdout: result.stdout, stderr: result.stderr, outputs: lines('github-output'), summary: readFileSync(join(runner, 'summary.md'), 'utf8') });
    if (result.status !== 0) break;
  }
  rmSync(runner, { recursive: true, force: true });
  return results;
}

/** The cloud-token step as the job runs it for an environment: only where environments.yml names a host. */
const tokenStep = (tokens: Record<string, string>, environment: string, secrets: Record<string, string> = SECRETS): Step[] =>
  tokens[environment] === undefined
    ? []
    : [{ uses: './.github/actions/cloud-token', env: { VARIABLE: `TF_TOKEN_${tokens[environment]}`, TOKEN: secrets[`TF_TOKEN_${tokens[environment]}` as keyof typeof secrets] ?? '' } }];

const terraformCalls = () => (existsSync(join(tools, 'calls.log')) ? readFileSync(join(tools, 'calls.log'), 'utf8').trim().split('\n') : []);

describe('a repository with a file-certificate prod, a self-signed lab and an msp with two customers, through its workflows', () => {
  let list: Record<string, string>;
  let tokens: Record<string, string>;

  test('environments.yml: CI plans and applies prod and msp, gives msp its HCP Terraform token, and leaves lab alone', () => {
    const [result] = runJob({}, [step(workflow('environments.yml').list, 'list')]);
    expect(result.status).toBe(0);
    list = result.outputs;
    tokens = JSON.parse(list.tokens);
    expect(list).toEqual({
      names: '["msp","prod"]',
      applied: '["msp","prod"]',
      tokens: '{"msp":"app_terraform_io"}',
      parts: '[{"environment":"msp","shard":"1/1","name":"msp-001"},{"environment":"prod","shard":"1/1","name":"prod-001"}]',
    });
    expect(result.summary).toContain('- lab  (workstation: no workflow plans or applies it)\n');
  }, 30_000);

  test('plan.yml: each part is planned on the pull request, prod against an empty state (it has none yet), msp with its token', () => {
    const plan = workflow('plan.yml').plan;
    for (const part of JSON.parse(list.parts)) {
      const results = runJob({ ENVIRONMENT: part.environment, SHARD: part.shard }, [...tokenStep(tokens, part.environment), step(plan, 'plan')]);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 0));
      const report = results[results.length - 1].summary;
      if (part.environment === 'prod') {
        expect(report).toMatch(/^### Restore Portal plan: `prod`\n\n/);
        expect(report).toContain('no state yet: prod was never applied, so it was planned against an empty state (none written); applying creates its state');
      } else {
        expect(report.match(/^### Restore Portal plan: .*$/gm)).toEqual(['### Restore Portal plan: `msp`', '### Restore Portal plan: `msp-tenant-contoso`', '### Restore Portal plan: `msp-tenant-fabrikam`']);
        expect(report).not.toContain('❌');
      }
    }
  }, 60_000);

  test("plan.yml: without the token step, msp's plan fails as Terraform does without HCP Terraform's token", () => {
    const results = runJob({ ENVIRONMENT: 'msp', SHARD: '1/1' }, [step(workflow('plan.yml').plan, 'plan')]);
    expect(results[0].status).toBe(1);
    expect(results[0].summary).toContain('❌ not planned: terraform init failed: Error: Required token could not be found');
  }, 30_000);

  test('apply.yml: both are reviewed; only prod, which has changes, asks for approval; it is applied with the state its writing identity creates', () => {
    const jobs = workflow('apply.yml');
    const blockingDangers = parse(readFileSync(join(REPO_ROOT, '.github/workflows/apply.yml'), 'utf8')).env.BLOCKING_DANGERS;
    const reviews: Record<string, string> = {};
    for (const environment of JSON.parse(list.applied)) {
      const results = runJob({ ENVIRONMENT: environment, ACCEPT_DANGERS: '', BLOCKING_DANGERS: blockingDangers }, [
        ...tokenStep(tokens, environment),
        step(jobs.plan, 'plan'),
        step(jobs.plan, 'Dangers need an acknowledging run'),
      ]);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 0));
      // The artifact review-<environment>: the review folder the job made in the project.
      reviews[`reviews/review-${environment}/report.json`] = readFileSync(join(project.root, 'review/report.json'), 'utf8');
      reviews[`reviews/review-${environment}/report.md`] = readFileSync(join(project.root, 'review/report.md'), 'utf8');
    }

    const [changes] = runJob({ APPLIED: list.applied }, [step(jobs.changes, 'changes')], reviews);
    expect(changes.outputs).toEqual({ environments: '["prod"]' });
    expect(changes.summary).toBe('### Apply\n\n- `msp`: no changes, nothing to apply or approve\n- `prod`: changes to apply, once its reviewers approve\n');

    rmSync(join(tools, 'calls.log'), { force: true });
    for (const environment of JSON.parse(changes.outputs.environments)) {
      // The download of review-<environment>, into review/ of the apply job's checkout (the project).
      const review = Object.fromEntries(['report.json', 'report.md'].map((file) => [`review/${file}`, reviews[`reviews/review-${environment}/${file}`]]));
      const gated = ['Dangers need an acknowledging run', 'Only the head of the branch is applied', 'Apply the gated plans'];
      const results = runJob({ ENVIRONMENT: environment, ACCEPT_DANGERS: '', FAKE_TERRAFORM_WRITER: '1', GH_TOKEN: 'x', BLOCKING_DANGERS: blockingDangers }, [
        ...tokenStep(tokens, environment, { TF_TOKEN_app_terraform_io: 'write-token' }),
        step(jobs.apply, 'gate'),
        ...gated.map((name) => step(jobs.apply, name)),
      ], review);
      expect(results.map((r) => r.status)).toEqual([0, 0, 0, 0]);
      expect(results[0].outputs['exit-code']).toBe('2');
    }
    expect(terraformCalls().filter((call) => / apply /.test(call))).toEqual([`-chdir=cdktf.out/stacks/prod apply -input=false -no-color plan.tfplan`]);
  }, 90_000);

  test('drift.yml and certs.yml, after the apply: nothing drifted, every certificate is valid', () => {
    rmSync(join(tools, 'plans/prod.json'));
    const drift = workflow('drift.yml').drift;
    for (const part of JSON.parse(list.parts)) {
      const results = runJob({ ENVIRONMENT: part.environment, SHARD: part.shard }, [...tokenStep(tokens, part.environment), step(drift, 'drift')]);
      expect(results.map((r) => [r.status, r.outputs['exit-code']])).toEqual([...tokenStep(tokens, part.environment).map(() => [0, undefined]), [0, '0']]);
      // The drift half of the job summary (the audit's half follows it: workflows.test.ts).
      expect(results[results.length - 1].summary).toMatch(new RegExp(`^### Restore Portal drift check: \`${part.environment}\`\n\n✅ `));
    }
    const certs = workflow('certs.yml').certs;
    for (const environment of JSON.parse(list.names)) {
      const results = runJob({ ENVIRONMENT: environment }, [...tokenStep(tokens, environment), step(certs, 'init'), step(certs, 'certs')]);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 0));
      expect(results[results.length - 1].summary).toMatch(new RegExp(`^\\| ${environment} \\| file \\| certs/valid\\.cer \\|.*\\| valid \\|\n\n1 certificate\\(s\\), all valid beyond their warning window\\.\n$`, 'm'));
    }
  }, 90_000);

  test('lab was never planned, checked or applied: its terraform, which would have failed, never ran', () => {
    expect(terraformCalls().length).toBeGreaterThan(0);
    expect(readFileSync(join(tools, 'initialized'), 'utf8')).not.toMatch(/\/lab$/m);
    expect(terraformCalls().filter((call) => call.includes('/lab '))).toEqual([]);
  });
});
