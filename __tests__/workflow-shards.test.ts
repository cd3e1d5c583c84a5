import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { colorsFor } from '../lib/process/command-line';
import { formatReports } from '../lib/review/report/plan-report-format';
import type { PlanReport } from '../lib/review/report/plan-report';
import { REPO_ROOT } from './support/builders';
import { planFixture, reportOf } from './support/plans';

const workflow = (name: string): any => parse(readFileSync(join(REPO_ROOT, '.github/workflows', name), 'utf8'));

describe.each(['plan.yml', 'drift.yml'])('%s splits a large environment across jobs', (name) => {
  const { jobs } = workflow(name);
  const planJob = Object.entries(jobs).find(([id]) => id === 'plan' || id === 'drift')![1] as any;

  // The list job's parts (environments.yml) are tested with the environment list in workflows.test.ts.
  test('each job plans its part of its environment', () => {
    expect(planJob.strategy.matrix).toEqual({ include: '${{ fromJSON(needs.environments.outputs.parts) }}' });
    expect(planJob.env).toMatchObject({ ENVIRONMENT: '${{ matrix.environment }}', SHARD: '${{ matrix.shard }}' });
    expect(planJob.steps.some((s: any) => /npm run --silent (plan|drift) -- "\$ENVIRONMENT" --shard "\$SHARD"/.test(s.run ?? ''))).toBe(true);
  });
});

describe('the plan comment', () => {
  const { jobs } = workflow('plan.yml');
  const script: string = jobs.comment.steps.find((s: any) => s.uses?.startsWith('actions/github-script@')).with.script;
  const plain = colorsFor({});

  /** Runs the comment job's script on the artifacts given (folder name → report.md and report.json); returns the comment. */
  async function comment(artifacts: Record<string, readonly PlanReport[]>): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'plan-comment-'));
    for (const [artifact, reports] of Object.entries(artifacts)) {
      mkdirSync(join(root, 'reports', artifact), { recursive: true });
      writeFileSync(join(root, 'reports', artifact, 'report.md'), formatReports(reports, 'plan', 'markdown', plain));
      writeFileSync(join(root, 'reports', artifact, 'report.json'), formatReports(reports, 'plan', 'json', plain));
    }
    // The script reads paths relative to the job's folder.
    const inRoot = { ...fs, existsSync: (p: string) => fs.existsSync(join(root, p)), readdirSync: (p: string) => fs.readdirSync(join(root, p)), readFileSync: (p: string, e: BufferEncoding) => fs.readFileSync(join(root, p), e) };
    const posted: string[] = [];
    const github = {
      paginate: async () => [],
      rest: { issues: { listComments: undefined, createComment: async ({ body }: { body: string }) => void posted.push(body) } },
    };
    const context = { sha: 'abcdef1234567', repo: { owner: 'contoso', repo: 'portal' }, issue: { number: 7 } };
    const run = new Function('require', 'github', 'context', 'process', `return (async () => {\n${script}\n})();`);
    await run(() => inRoot, github, context, { env: {} });
    rmSync(root, { recursive: true, force: true });
    expect(posted).toHaveLength(1);
    return posted[0];
  }
  const unchanged = (name: string) => reportOf(planFixture('no-changes'), name);
  const changed = (name: string) => reportOf(planFixture('redirect-uri-added'), name);

  test('joins the parts in plan order under one heading', async () => {
    const body = await comment({ 'plan-test-001': [unchanged('test')], 'plan-prod-002': [unchanged('prod-tenant-b')], 'plan-prod-001': [changed('prod'), unchanged('prod-tenant-a')] });
    const headings = body.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '## Restore Portal plan for abcdef1',
      '### Restore Portal plan: `prod`',
      '### Restore Portal plan: `prod-tenant-a`',
      '### Restore Portal plan: `prod-tenant-b`',
      '### Restore Portal plan: `test`',
    ]);
    expect(body.startsWith('<!-- vb365-restore-portal-plan -->')).toBe(true);
  });

  /** One environment with `count` customer tenants, the 124th of them with changes, in parts of 50 stacks. */
  function largeEnvironment(count: number): Record<string, PlanReport[]> {
    const tenants = Array.from({ length: count }, (_, i) => `prod-tenant-customer${String(i).padStart(4, '0')}`);
    const stacks = [changed('prod'), ...tenants.map((t, i) => (i === 123 ? changed(t) : unchanged(t)))];
    const parts = Math.ceil(stacks.length / 50);
    return Object.fromEntries(
      Array.from({ length: parts }, (_, p) => [`plan-prod-${String(p + 1).padStart(3, '0')}`, stacks.slice(Math.floor((p * stacks.length) / parts), Math.floor(((p + 1) * stacks.length) / parts))]),
    );
  }
  const sectionHeadings = (body: string) => body.split('\n').filter((line) => line.startsWith('### '));

  test("with 300 customer tenants every stack's report fits in the comment", async () => {
    const body = await comment(largeEnvironment(300));
    expect(body.length).toBeLessThan(65536);
    expect(sectionHeadings(body)).toHaveLength(301);
    expect(body).not.toContain('… cut');
  });

  test("beyond GitHub's limit, stacks without changes are only named and those with changes shown", async () => {
    const body = await comment(largeEnvironment(500));
    expect(body.length).toBeLessThan(65536);
    expect(body).toContain('✅ 499 stacks without changes: `prod-tenant-customer0000`, `prod-tenant-customer0001`');
    expect(sectionHeadings(body)).toEqual(['### Restore Portal plan: `prod`', '### Restore Portal plan: `prod-tenant-customer0123`']);
    expect(body).not.toContain('… cut');
  });
});
