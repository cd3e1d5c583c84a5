import { spawn, spawnSync, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandGrammar } from '../../lib/process/command-line';
import { LIB, REPO_ROOT, type TestProject } from './builders';

/** The npm scripts of package.json, by name. */
export const NPM_SCRIPTS: Readonly<Record<string, string>> = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;

export interface DeclaredCommand {
  /** `npm run <name>`. */
  readonly name: string;
  /** Its file, relative to the repository. */
  readonly file: string;
  readonly grammar: CommandGrammar;
}

/**
 * Every npm script that runs a command of ours (a cli/*.ts, main.ts as synth, bench and the developer
 * tools of dev/; not test, typecheck, build, nor a script that runs one of them with arguments, as
 * bench:cdktn does), with its declared grammar, read in-process: the file exports it, and runs its
 * command only as the program node was started with (runCommand(module, ...)), so importing it runs
 * nothing. A command added later is here as soon as its script is in package.json.
 */
export function declaredCommands(): DeclaredCommand[] {
  return Object.entries(NPM_SCRIPTS).flatMap(([name, script]) => {
    const file = /^node --require \.\/bin\/register-ts\.js (\S+\.ts)$/.exec(script)?.[1];
    if (file === undefined) return [];
    const source = readFileSync(join(REPO_ROOT, file), 'utf8');
    if (!/\brunCommand\(module,/.test(source) || !/^export const grammar = /m.test(source)) {
      throw new Error(`${file} must export its grammar (export const grammar = ...) and run through runCommand(module, ...)`);
    }
    return [{ name, file, grammar: require(join(REPO_ROOT, file)).grammar as CommandGrammar }];
  });
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Preloaded into a command that must never load cdktf, constructs or a provider binding. */
export const FORBID_CDKTF = join(__dirname, 'forbid-cdktf.js');

/**
 * Runs `cli/<name>.ts` as `npm run <name>` would, but in a test project: the command file is copied
 * into it and `lib` linked, so the command finds the test project's environments and cdktf.out.
 * `preload` are modules node loads first (`--require`).
 */
export function runCommandIn(
  project: TestProject,
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  preload: readonly string[] = [],
): CommandResult {
  const command = commandIn(project, name, args, env, preload);
  const result = spawnSync(process.execPath, command.args, { ...command.options, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The node arguments and spawn options that run `cli/<name>.ts` in a test project as `npm run <name>` would. */
function commandIn(project: TestProject, name: string, args: readonly string[], env: NodeJS.ProcessEnv, preload: readonly string[]) {
  const cliDir = installCommand(project, name);
  return {
    args: [...[join(REPO_ROOT, 'bin/register-ts.js'), ...preload].flatMap((m) => ['--require', m]), join(cliDir, `${name}.ts`), ...args],
    options: { cwd: project.root, env: { ...process.env, NO_COLOR: '1', INIT_CWD: project.root, ...env } },
  };
}

/** Copies `cli/<name>.ts` into a test project and links `lib`, as a user's clone has them; returns the cli folder. */
export function installCommand(project: TestProject, name: string): string {
  const cliDir = join(project.root, 'cli');
  mkdirSync(cliDir, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'cli', `${name}.ts`), join(cliDir, `${name}.ts`));
  if (!existsSync(join(project.root, 'lib'))) symlinkSync(LIB, join(project.root, 'lib'));
  return cliDir;
}

/**
 * An `npm` stand-in in `dir` for workflow steps: `npm run --silent <script> -- <args>` runs the script
 * as package.json does (main.ts for synth, cli/<script>.ts otherwise) in `projectRoot`, without npm's
 * own start-up, a quarter of a second of CPU a call. Anything else exits 64.
 */
export function standInNpm(dir: string, projectRoot: string): void {
  const register = join(REPO_ROOT, 'bin/register-ts.js');
  writeFileSync(
    join(dir, 'npm'),
    `#!/bin/sh\n[ "$1 $2" = "run --silent" ] || exit 64\nscript=$3; shift 3; [ "$1" = -- ] && shift\ncd '${projectRoot}'\nif [ "$script" = synth ]; then exec node --require '${register}' main.ts "$@"; fi\nexec node --require '${register}' "cli/$script.ts" "$@"\n`,
  );
  chmodSync(join(dir, 'npm'), 0o755);
}

/**
 * A `terraform` stand-in in a folder of the test project: a shell script that logs its arguments to
 * `callsLog` and then runs `body`. `path` is PATH with that folder first.
 */
export function standInTerraform(project: TestProject, body: string): { path: string; callsLog: string } {
  const dir = mkdtempSync(join(project.root, 'stand-in-terraform-'));
  const callsLog = join(dir, 'calls.log');
  const script = join(dir, 'terraform');
  writeFileSync(script, `#!/bin/sh\necho "$@" >> '${callsLog}'\n${body}\n`);
  chmodSync(script, 0o755);
  return { path: `${dir}${delimiter}${process.env.PATH ?? ''}`, callsLog };
}

/**
 * `runCommandIn`, without blocking this process: for a command that talks to a server the test
 * runs in-process (the Graph double), which must go on answering while the command runs.
 */
export function runCommandInBackground(
  project: TestProject,
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  preload: readonly string[] = [],
): Promise<CommandResult> {
  const command = commandIn(project, name, args, env, preload);
  return runInBackground(process.execPath, command.args, command.options);
}

/**
 * Runs a program to its end without blocking this process, for one that talks to a server the test
 * runs in-process (the Graph double, the stand-in az): its exit status and what it printed.
 */
export function runInBackground(program: string, args: readonly string[], options: SpawnOptionsWithoutStdio): Promise<CommandResult> {
  const child = spawn(program, args, options);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
