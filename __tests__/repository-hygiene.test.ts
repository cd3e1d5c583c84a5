import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPfxDestination } from '../lib/certificates/pfx-export';
import { defaultBackend, type Backend } from '../lib/environment/backend';
import { UserError } from '../lib/process/command-line';
import { PLAN_FILE } from '../lib/process/terraform';
import { tenantBackend } from '../lib/tenants/customer-tenant';
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

/** The documentation: README.md and every page under docs/. */
function documentation(): string {
  const docs = join(REPO_ROOT, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join(docs, f)) : [];
  return [join(REPO_ROOT, 'README.md'), ...pages].map((file) => readFileSync(file, 'utf8')).join('\n');
}

/** File names the documentation tells users to write saved outputs, saved plans and PFX files to. */
function advisedSecretFiles(text: string): string[] {
  const patterns = [
    /output -json > ([^\s`'"|;)]+)/g,
    /show -json \S+ > ([^\s`'"|;)]+)/g,
    /--outputs (?:[A-Za-z0-9_-]+=)?([^\s`'"|;)]+)/g,
    /--plan-json ([^\s`'"|;)]+)/g,
    /--out ([^\s`'"|;)]+\.(?:pfx|p12))\b/gi,
  ];
  const names = patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
  // Placeholders (<file>, F, F.pfx, $VAR, <(process substitution)) are not names anyone writes.
  return [...new Set(names.filter((name) => !/[<>$]|^F(\.pfx)?$/.test(name)))].sort();
}

describe('every file the commands write or the docs advise that can hold a key or state is git-ignored, whatever its name', () => {
  const advised = advisedSecretFiles(documentation());
  const localState = (backend: Backend) => (backend.type === 'local' ? backend.path : '');
  const written = [
    localState(defaultBackend('prod')),
    localState(tenantBackend(defaultBackend('prod'), 'contoso')),
    `${localState(defaultBackend('prod'))}.backup`,
    `cdktf.out/stacks/prod/${PLAN_FILE}`,
    // Names people give `terraform output -json > ...` beside the documented one.
    'prod.outputs.json',
    'outputs.json',
    'output.json',
  ];

  test('the docs advise saved outputs, saved plans and PFX files by name', () => {
    expect(advised).toEqual(expect.arrayContaining(['prod-outputs.json', 'portal.pfx', 'plan.json']));
  });

  test.each([...advised, ...written])('%s is ignored', (path) => {
    expect(ignored(path)).toBe(true);
  }, PROCESS_TIMEOUT);
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
