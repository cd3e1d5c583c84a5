import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LIB, REPO_ROOT, type TestProject } from './builders';

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
  const child = spawn(process.execPath, command.args, command.options);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
