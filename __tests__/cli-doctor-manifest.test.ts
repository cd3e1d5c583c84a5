import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnose } from '../lib/doctor/doctor';
import { readManifestFile } from '../lib/doctor/manifest';
import { REPO_ROOT } from './support/builders';
import { ARTICLE_MANIFEST, CLIENT_ID, findingsOf } from './support/manifests';

const dir = mkdtempSync(join(tmpdir(), 'cli-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command as `npm run <name>` does, from the project root. */
function run(name: 'doctor' | 'manifest', ...args: string[]) {
  // This repository's environment files are the user's, and may import lib/, which loads cdktf;
  // commands-without-cdktf.test.ts pins every command on environment files of its own.
  const guard = args.includes('--env') || name === 'manifest' ? [] : ['--require', join(__dirname, 'support/forbid-cdktf.js')];
  const result = spawnSync(process.execPath, ['--require', './bin/register-ts.js', ...guard, `cli/${name}.ts`, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run doctor and npm run manifest', () => {
  test("doctor exits 2 on the article's manifest and prints the report, without loading cdktf", () => {
    const { code, stdout, stderr } = run('doctor', ARTICLE_MANIFEST, '--format', 'markdown');
    expect(code).toBe(2);
    expect(stdout).toContain('`replyUrlsWithType[0].url`: is an empty redirect URI');
    expect(stderr).toBe('');
  });

  test('doctor exits 1 with one line, no stack trace, on a file that is not a manifest', () => {
    const file = join(dir, 'package.json');
    writeFileSync(file, '{"name": "x"}');
    const { code, stdout, stderr } = run('doctor', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not an application manifest: [^\\n]+\\n$`));
  });

  test('manifest exits 1 and says what is missing for a registration not created yet', () => {
    const { code, stderr } = run('manifest', 'example');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: environments\/example\.ts describes a registration that does not exist yet, [^\n]+--client-id[^\n]+\n$/);
  });

  test('manifest writes the file for a registration created by hand, and it passes the doctor', () => {
    const out = join(dir, 'example.manifest.json');
    const written = run('manifest', 'example', '--client-id', CLIENT_ID, '--out', out);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`wrote ${out}: the registration of environments/example.ts (application ID ${CLIENT_ID})`);
    expect(findingsOf(diagnose(readManifestFile(out), out, { now: new Date() }))).toEqual([]);
  });
});
