import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { diagnose } from '../lib/doctor/doctor';
import { readManifestFile } from '../lib/doctor/manifest';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { runCommandIn } from './support/commands';
import { ARTICLE_MANIFEST, CLIENT_ID, findingsOf, graphManifest } from './support/manifests';
import { PROCESS_TIMEOUT } from './support/timeouts';

const dir = mkdtempSync(join(tmpdir(), 'cli-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command as `npm run <name>` does, from the project root, typed in `typedIn` (INIT_CWD). */
function run(name: 'doctor', args: string[], typedIn = REPO_ROOT) {
  // No environment is named: this repository's environment files are the user's, and may import
  // lib/, which loads cdktf; commands-without-cdktf.test.ts pins every command on environment files of its own.
  const guard = ['--require', join(__dirname, 'support/forbid-cdktf.js')];
  const result = spawnSync(process.execPath, ['--require', './bin/register-ts.js', ...guard, `cli/${name}.ts`, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', INIT_CWD: typedIn },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run doctor', () => {
  test("doctor exits 2 on the article's manifest and prints the report, without loading cdktf", () => {
    const { code, stdout, stderr } = run('doctor', ['--manifest', ARTICLE_MANIFEST, '--format', 'markdown']);
    expect(code).toBe(2);
    expect(stdout).toContain('`replyUrlsWithType[0].url`: is an empty redirect URI');
    expect(stderr).toBe('');
  }, PROCESS_TIMEOUT);

  test('doctor exits 1 with one line, no stack trace, on a file that is not a manifest', () => {
    const file = join(dir, 'package.json');
    writeFileSync(file, '{"name": "x"}');
    const { code, stdout, stderr } = run('doctor', ['--manifest', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not an application manifest: [^\\n]+\\n$`));
  }, PROCESS_TIMEOUT);

  test('doctor reads a relative path from the folder npm was run in', () => {
    const { code, stdout } = run('doctor', ['--manifest', 'article-appendix-a.json', '--format', 'json'], dirname(ARTICLE_MANIFEST));
    expect(code).toBe(2);
    expect(JSON.parse(stdout).manifest).toBe('__tests__/fixtures/manifests/article-appendix-a.json');
  }, PROCESS_TIMEOUT);
});

describe('npm run manifest', () => {
  const project = new TestProject();
  project.writeEnvironment('portal', validInput());
  afterAll(() => project.remove());

  test('exits 1 and says what is missing for a registration not created yet', () => {
    const { status, stderr } = runCommandIn(project, 'manifest', ['portal']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^error: environments\/portal\.ts describes a registration that does not exist yet, [^\n]+--client-id[^\n]+\n$/);
  }, PROCESS_TIMEOUT);

  test("writes the file, relative to the folder npm was run in, for a registration created by hand; the doctor's only finding is that it is no download", () => {
    mkdirSync(join(project.root, 'sub'));
    const written = runCommandIn(project, 'manifest', ['portal', '--client-id', CLIENT_ID, '--out', 'portal.json'], { INIT_CWD: join(project.root, 'sub') });
    expect(written.status).toBe(0);
    expect(written.stdout).toContain(`wrote sub/portal.json: the registration of environments/portal.ts (application ID ${CLIENT_ID})`);
    const out = join(project.root, 'sub/portal.json');
    expect(findingsOf(diagnose(readManifestFile(out), out, { now: new Date() }))).toEqual([expect.stringMatching(/^problem manifest-source : is the manifest npm run manifest writes/)]);
  }, PROCESS_TIMEOUT);

  test('replaces a manifest it wrote, but never a downloaded one or another file a mistyped --out names, unless --force', () => {
    const args = (out: string) => ['portal', '--client-id', CLIENT_ID, '--out', out];
    expect(runCommandIn(project, 'manifest', args('again.json')).status).toBe(0);
    expect(runCommandIn(project, 'manifest', args('again.json')).status).toBe(0);
    const environmentFile = readFileSync(join(project.root, 'environments/portal.ts'), 'utf8');
    const refused = runCommandIn(project, 'manifest', args('environments/portal.ts'));
    expect(refused).toMatchObject({ status: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error: --out environments\/portal\.ts: is there and was not written by npm run manifest .*; refusing to replace it: give another file, or pass --force to replace it\n/);
    expect(readFileSync(join(project.root, 'environments/portal.ts'), 'utf8')).toBe(environmentFile);
    // The name people give a manifest downloaded from Entra is the default --out.
    const downloaded = JSON.stringify(graphManifest(), null, 2);
    writeFileSync(join(project.root, 'portal.manifest.json'), downloaded);
    expect(runCommandIn(project, 'manifest', ['portal', '--client-id', CLIENT_ID]).status).toBe(1);
    expect(readFileSync(join(project.root, 'portal.manifest.json'), 'utf8')).toBe(downloaded);
    expect(runCommandIn(project, 'manifest', ['portal', '--client-id', CLIENT_ID, '--force']).status).toBe(0);
    expect(readFileSync(join(project.root, 'portal.manifest.json'), 'utf8')).not.toBe(downloaded);
  }, PROCESS_TIMEOUT);

  test('the doctor never reports a manifest it wrote as a healthy registration', () => {
    expect(runCommandIn(project, 'manifest', ['portal', '--client-id', CLIENT_ID, '--out', 'written.json', '--force']).status).toBe(0);
    const checked = runCommandIn(project, 'doctor', ['written.json', '--format', 'json']);
    expect(checked.status).toBe(2);
    const report = JSON.parse(checked.stdout);
    expect(report).toMatchObject({ ok: false, problems: 1 });
    expect(report.checks[0]).toMatchObject({ check: 'manifest-source', status: 'problem' });
  }, PROCESS_TIMEOUT);
});
