// `npm run test:cdktn` (and `bench:cdktn`): a command of this project on CDK Terrain instead of cdktf, in
// a temporary copy, so that the repository's own default stays cdktf 0.21.0 until the @cdktn prebuilt
// providers install from the registry.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseCommandLine, runCommand, UserError } from '../lib/process/command-line';

/** The CDK Terrain release the tests pass on, and the constructs it asks for (>=10.6.0 <10.8.0). */
export const CDKTN = { version: '0.24.0', constructs: '10.7.2' } as const;

const PROJECT = resolve(__dirname, '..');
const USAGE = 'npm run test:cdktn -- [--keep] [-- <command> [<argument>...]]';
const DESCRIPTION = `Runs the tests (npm test, then npm run test:consumer), or the command given after "--", on CDK Terrain
(cdktn ${CDKTN.version}) instead of cdktf, in a temporary copy of the project: its package.json aliases cdktn as
cdktf ("cdktf": "npm:cdktn@${CDKTN.version}"), takes constructs ${CDKTN.constructs} (cdktn asks for 10.6 or 10.7) and
overrides both, so that the @cdktf providers, which ask for cdktf ^0.21.0, take them; without the overrides npm
stops with ERESOLVE. npm installs them from the registry, or the npm cache. The repository itself stays on cdktf.
--keep leaves the copy for a look. npm run bench:cdktn runs npm run bench there (npm run bench:cdktn -- --only synth).
Exit code: the command's; 1 when the copy could not be made.`;

function sh(command: string, args: readonly string[], cwd: string): number {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  return result.status ?? 1;
}

/** The project's files as git sees them (tracked, and new ones it does not ignore), without node_modules. */
function projectFiles(): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout.split('\0').filter((file) => file !== '');
}

/**
 * Copies the project, links its installed packages in (hard links: a second, where a fresh install
 * takes minutes), and lets npm swap cdktf and constructs. npm replaces the packages it changes by
 * new folders, so the linked files of the project are never written; its caches are not linked.
 */
function makeCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'restore-portal-cdktn-'));
  try {
    fillCopy(copy);
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
  return copy;
}

function fillCopy(copy: string): void {
  for (const file of projectFiles()) {
    try {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(PROJECT, file), join(copy, file), { dereference: false });
    } catch (error) {
      // A file deleted but not yet committed is listed by git and absent.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  // Tests ask git what it tracks and ignores, as in the project.
  for (const args of [['init', '-q'], ['add', '-A']]) {
    const git = spawnSync('git', args, { cwd: copy, encoding: 'utf8' });
    if (git.status !== 0) throw new Error(`git ${args.join(' ')} failed in the copy: ${git.stderr}`);
  }
  const linked = spawnSync('cp', ['-al', join(PROJECT, 'node_modules'), join(copy, 'node_modules')]);
  if (linked.status === 0) {
    for (const written of ['.cache', '.package-lock.json']) rmSync(join(copy, 'node_modules', written), { recursive: true, force: true });
  }
  const manifestPath = join(copy, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.devDependencies.cdktf = `npm:cdktn@${CDKTN.version}`;
  manifest.devDependencies.constructs = CDKTN.constructs;
  manifest.overrides = { ...manifest.overrides, cdktf: '$cdktf', constructs: '$constructs' };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], copy) !== 0) throw new Error('npm install of cdktn failed');
  const installed = JSON.parse(readFileSync(join(copy, 'node_modules/cdktf/package.json'), 'utf8'));
  if (installed.name !== 'cdktn' || installed.version !== CDKTN.version) throw new Error(`the copy has ${installed.name} ${installed.version}, not cdktn ${CDKTN.version}`);
}

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(argv, { options: { keep: { type: 'boolean' } }, allowPositionals: true }, USAGE, DESCRIPTION);
  const end = argv.indexOf('--');
  if (positionals.length > 0 && (end === -1 || argv.length - end - 1 !== positionals.length)) {
    throw new UserError(`a command to run goes after "--"; got ${JSON.stringify(positionals[0])}`, USAGE);
  }
  let copy: string;
  try {
    copy = makeCopy();
  } catch (error) {
    throw new UserError(`could not make a copy of the project on cdktn: ${(error as Error).message}`);
  }
  process.stdout.write(`cdktn ${CDKTN.version} as cdktf, constructs ${CDKTN.constructs}, in ${copy}\n`);
  try {
    const commands = positionals.length > 0 ? [positionals] : [['npm', 'test'], ['npm', 'run', 'test:consumer']];
    for (const [name, ...args] of commands) {
      const status = sh(name, args, copy);
      if (status !== 0) return status;
    }
    return 0;
  } finally {
    if (values.keep) process.stdout.write(`kept ${copy}\n`);
    else rmSync(copy, { recursive: true, force: true });
  }
});
