import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPfxDestination } from '../lib/certificates/pfx-export';
import { UserError } from '../lib/process/command-line';
import { REPO_ROOT } from './support/builders';
import { onCleanUp, temporaryFolder } from './support/clean-up';
import { PROCESS_TIMEOUT } from './support/timeouts';

/** A git repository with this project's .gitignore, as a platform team's copy of it. */
let repo: string;
beforeAll(() => {
  repo = temporaryFolder('hygiene-');
  execFileSync('git', ['init', '--quiet'], { cwd: repo });
  // Whatever the machine's setting, CI's Linux checkout compares case-sensitively.
  execFileSync('git', ['config', 'core.ignoreCase', 'false'], { cwd: repo });
  copyFileSync(join(REPO_ROOT, '.gitignore'), join(repo, '.gitignore'));
  mkdirSync(join(repo, 'environments', 'certs'), { recursive: true });
}, PROCESS_TIMEOUT);

const ignored = (path: string) => spawnSync('git', ['check-ignore', '--quiet', '--', path], { cwd: repo }).status === 0;

describe('.gitignore keeps secrets out whatever the case of their names', () => {
  test.each([
    'environments/certs/portal.pfx',
    'environments/certs/PORTAL.PFX',
    'environments/certs/Portal.Pfx',
    'environments/certs/portal.p12',
    'environments/certs/portal.P12',
    'environments/certs/portal.key',
    'environments/certs/PORTAL.KEY',
    'environments/certs/portal.pvk',
    'environments/certs/portal-key.pem',
    'environments/certs/portal-KEY.PEM',
    'environments/certs/portal.private.pem',
    'prod.tfplan',
    'PROD.TFPLAN',
    'plan.json',
    'prod-PLAN.json',
    'prod-outputs.json',
    'prod-OUTPUTS.JSON',
    'terraform.prod.tfstate',
    'terraform.prod.TFSTATE.backup',
  ])('%s is ignored', (path) => {
    expect(ignored(path)).toBe(true);
  }, PROCESS_TIMEOUT);

  test.each(['environments/certs/portal.cer', 'environments/certs/portal.CER', 'environments/certs/portal.crt', 'environments/certs/chain.pem', 'environments/prod.ts'])(
    '%s, public, is not',
    (path) => {
      expect(ignored(path)).toBe(false);
    }, PROCESS_TIMEOUT,
  );
});

describe('export-pfx refuses to write a private key git would track', () => {
  const refusal = (out: string, root = repo) => {
    try {
      checkPfxDestination(out, false, root);
    } catch (error) {
      if (error instanceof UserError) return error.message;
      throw error;
    }
    return undefined;
  };

  test('inside a repository whose .gitignore does not cover it', () => {
    writeFileSync(join(repo, 'environments', '.gitignore'), '!*.pfx\n');
    onCleanUp(() => rmSync(join(repo, 'environments', '.gitignore')));
    expect(refusal('environments/portal.pfx')).toBe(
      '--out environments/portal.pfx: is inside a git repository and not ignored there, so the private key could be committed; write it outside the repository or to a path its .gitignore covers (*.pfx, *.p12)',
    );
  }, PROCESS_TIMEOUT);

  test('over a PFX the repository already tracks', () => {
    writeFileSync(join(repo, 'tracked.pfx'), 'x');
    execFileSync('git', ['add', '--force', 'tracked.pfx'], { cwd: repo });
    expect(refusal('tracked.pfx')).toMatch(/^--out tracked\.pfx: is inside a git repository and not ignored there/);
  }, PROCESS_TIMEOUT);

  test('but writes where the repository ignores it, or outside any repository', () => {
    expect(refusal('environments/certs/PORTAL.PFX')).toBeUndefined();
    const elsewhere = temporaryFolder('no-repo-');
    expect(refusal(join(elsewhere, 'portal.pfx'), elsewhere)).toBeUndefined();
  }, PROCESS_TIMEOUT);
});
