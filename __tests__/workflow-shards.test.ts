import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { colorsFor } from '../lib/process/command-line';
import { formatReports } from '../lib/review/report/plan-report-format';
import type { PlanReport } from '../lib/review/report/plan-report';
import { REPO_ROOT } from './support/builders';
import { temporaryFolder } from './support/clean-up';
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

  interface CommentRun {
    /** Folder name → the reports its plan job rendered, or raw files (name → content, or a symlink target). */
    readonly artifacts: Record<string, readonly PlanReport[] | Record<string, string | { symlink: string }>>;
    /** Comments already on the pull request. */
    readonly comments?: readonly { id: number; user: { login: string }; body: string }[];
    /** The head of the pull request when the job runs. @default the commit planned */
    readonly headNow?: string;
  }
  const PLANNED = 'abcdef1234567'.padEnd(40, '0');

  /** Runs the comment job's script on the artifacts given; returns what it posted, updated and noted. */
  async function commentRun({ artifacts, comments = [], headNow = PLANNED }: CommentRun) {
    const root = temporaryFolder('plan-comment-');
    for (const [artifact, content] of Object.entries(artifacts)) {
      mkdirSync(join(root, 'reports', artifact), { recursive: true });
      const files = Array.isArray(content)
        ? { 'report.md': formatReports(content, 'plan', 'markdown', plain), 'report.json': formatReports(content, 'plan', 'json', plain) }
        : (content as Record<string, string | { symlink: string }>);
      for (const [file, text] of Object.entries(files)) {
        if (typeof text === 'string') writeFileSync(join(root, 'reports', artifact, file), text);
        else fs.symlinkSync(text.symlink, join(root, 'reports', artifact, file));
      }
    }
    // The script reads paths relative to the job's folder.
    const at = (p: string) => join(root, p);
    const inRoot = {
      ...fs,
      existsSync: (p: string) => fs.existsSync(at(p)),
      lstatSync: (p: string) => fs.lstatSync(at(p)),
      readdirSync: (p: string) => fs.readdirSync(at(p)),
      readFileSync: (p: string, e: BufferEncoding) => fs.readFileSync(at(p), e),
    };
    const posted: string[] = [];
    const updated: { comment_id: number; body: string }[] = [];
    const notices: string[] = [];
    const github = {
      paginate: async () => comments,
      rest: {
        issues: {
          listComments: undefined,
          createComment: async ({ body }: { body: string }) => void posted.push(body),
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => void updated.push({ comment_id, body }),
        },
        pulls: { get: async () => ({ data: { head: { sha: headNow } } }) },
      },
    };
    const context = { sha: 'f'.repeat(40), repo: { owner: 'contoso', repo: 'portal' }, issue: { number: 7 }, payload: { pull_request: { head: { sha: PLANNED } } } };
    const core = { notice: (text: string) => void notices.push(text) };
    const run = new Function('require', 'github', 'context', 'core', 'process', `return (async () => {\n${script}\n})();`);
    await run(() => inRoot, github, context, core, { env: {} });
    return { posted, updated, notices };
  }
  async function comment(artifacts: CommentRun['artifacts']): Promise<string> {
    const { posted } = await commentRun({ artifacts });
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

  // The plan jobs ran the pull request's code: whatever it wrote into their artifacts is hostile data.
  test('what a pull request writes into a report mentions no one and references no issue in the comment', async () => {
    const body = await comment({ 'plan-prod-001': { 'report.md': '### `prod`\n\n@contoso/admins approve this, see #12 and org/repo#3\n' } });
    expect(body).toContain('@\u200bcontoso/admins approve this, see #\u200b12 and org/repo#\u200b3');
    expect(body).not.toMatch(/@[\w-]|#\d/);
  });

  test('our own reports come through unchanged, inert as they already are', async () => {
    const reports = [reportOf(planFixture('redirect-uri-added'), 'prod')];
    const body = await comment({ 'plan-prod-001': reports });
    expect(body).toContain(formatReports(reports, 'plan', 'markdown', plain));
  });

  test('a report that is not a regular file, or over 4 MB, is not read: the comment says so', async () => {
    const body = await comment({
      'plan-a-001': { 'report.md': { symlink: '/etc/passwd' } },
      'plan-b-001': { 'report.md': 'x'.repeat(4 * 1024 * 1024 + 1) },
      'plan-c-001': { 'report.json': '{}' },
    });
    expect(body.split('\n').filter((line) => line.startsWith('❌'))).toEqual(
      ['plan-a-001', 'plan-b-001', 'plan-c-001'].map((dir) => `❌ \`${dir}\`: no report (missing, not a file, or over 4 MB).`),
    );
    expect(body).not.toContain('root:');
    expect(body).not.toContain('xxx');
  });

  test("updates this workflow's own comment, never another bot's that quotes the marker", async () => {
    const marker = '<!-- vb365-restore-portal-plan -->';
    const { posted, updated } = await commentRun({
      artifacts: { 'plan-prod-001': [unchanged('prod')] },
      comments: [
        { id: 1, user: { login: 'some-app[bot]' }, body: `quoting ${marker}` },
        { id: 2, user: { login: 'github-actions[bot]' }, body: `${marker}\nolder plan` },
      ],
    });
    expect(posted).toEqual([]);
    expect(updated.map((u) => u.comment_id)).toEqual([2]);
  });

  test('a run whose pull request has moved on posts nothing, so an older plan never replaces a newer one', async () => {
    const result = await commentRun({ artifacts: { 'plan-prod-001': [changed('prod')] }, headNow: '9'.repeat(40) });
    expect(result).toEqual({ posted: [], updated: [], notices: [`Not posted: the pull request moved on to ${'9'.repeat(40)}, whose run posts its plan.`] });
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
