import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { UserError } from '../process/command-line';
import type { Warning } from '../process/problem';
import { stacksFolder } from '../process/stack-directory';
import { describeCode } from '../process/atomic-file';

/**
 * The file synth leaves in every stack folder it makes. Only folders holding it are ever deleted,
 * so a folder someone else keeps under the output folder (or an odd `CDKTF_OUTDIR`) is never lost.
 */
export const STACK_FOLDER_MARKER = '.restore-portal-stack';

const MARKER_TEXT =
  'This folder is written by synth (npm run synth, cdktf synth) from environments/; synth replaces it, and deletes it\n' +
  'when its stack is gone. Keep nothing here but what terraform writes.\n';

/** What synth may do in the output folder, decided before anything is written. */
export interface OutputFolderPlan {
  /** Stack folders of stacks that are gone and that synth made: removed after the new stacks are written. */
  readonly orphans: readonly string[];
  /** Folders under stacks/ that synth did not make and leaves alone. */
  readonly warnings: readonly Warning[];
}

export interface InspectOptions {
  /** The project root: paths in messages are shown relative to it. */
  readonly projectRoot: string;
  /** The stacks about to be written. */
  readonly stacks: readonly string[];
  /** Whether a folder of a stack not written this time is this synth's to clean up (a partial synth keeps the others'). */
  readonly responsibleFor: (stack: string) => boolean;
  /**
   * Run by the cdktf CLI, which deletes every folder of stacks/ it found before the run that is not a stack
   * now, and fails on one that is gone already: synth then removes nothing and refuses to let it delete a
   * folder synth did not make.
   */
  readonly cdktfCli: boolean;
}

/**
 * Looks at the output folder before anything is written: it must be a folder (or not exist yet), every stack
 * folder to write a real folder, and folders of stacks that are gone are removed only if synth made them.
 * @throws UserError in one line for an output folder synth cannot use
 */
export function inspectOutputFolder(outdir: string, options: InspectOptions): OutputFolderPlan {
  const show = (path: string) => shownPath(options.projectRoot, path);
  const outdirStats = statOrUndefined(outdir, show, statSync);
  if (outdirStats && !outdirStats.isDirectory()) {
    const fix = outdirStats.isFile() ? 'remove the file, or set CDKTF_OUTDIR to a folder' : 'set CDKTF_OUTDIR to a folder';
    throw new UserError(`${show(outdir)}: ${kindOf(outdirStats)}, not a folder; synth writes the stacks into a folder: ${fix}`);
  }
  const stacksDir = stacksFolder(outdir);
  const stacksStats = outdirStats && statOrUndefined(stacksDir, show, lstatSync);
  if (!stacksStats) return { orphans: [], warnings: [] };
  if (!stacksStats.isDirectory()) throw new UserError(`${show(stacksDir)}: ${kindOf(stacksStats)}, not a folder; remove it and synth again`);

  const orphans: string[] = [];
  const foreign: string[] = [];
  for (const name of readFolder(stacksDir, show)) {
    const folder = join(stacksDir, name);
    const stats = statOrUndefined(folder, show, lstatSync);
    if (!stats) continue;
    const current = options.stacks.includes(name);
    if (!stats.isDirectory()) {
      // Neither synth nor the cdktf CLI deletes anything under stacks/ that is not a real folder.
      if (current) throw new UserError(`${show(folder)}: ${kindOf(stats)}, not a folder; synth writes stack ${name} only into a folder of its own: remove it and synth again`);
      continue;
    }
    if (current || !options.responsibleFor(name)) continue;
    const entries = readFolder(folder, show);
    if (entries.length === 0 || entries.includes(STACK_FOLDER_MARKER)) {
      if (!options.cdktfCli) orphans.push(folder);
    } else {
      foreign.push(folder);
    }
  }
  if (foreign.length > 0 && options.cdktfCli) {
    throw new UserError(
      `${foreign.map(show).join(', ')}: not made by synth (no ${STACK_FOLDER_MARKER} in it), and cdktf deletes every folder in ` +
        `${show(stacksDir)} that is not a stack: move it out of ${show(stacksDir)}, or delete it, and run again`,
    );
  }
  const warnings = foreign.map((folder) => ({
    file: show(folder),
    path: '',
    message: `not made by synth (no ${STACK_FOLDER_MARKER} in it), so synth leaves it; \`cdktf synth\` would refuse to run: move it out of ${show(stacksDir)}`,
  }));
  return { orphans, warnings };
}

/**
 * Makes a stack folder with synth's marker. An existing one is marked if it is empty (a stopped synth made
 * it) or holds a `cdk.tf.json` (an earlier synth made it before markers existed); any other is written
 * into but never marked, so never deleted.
 */
export function prepareStackFolder(folder: string): void {
  const entries = makeFolder(folder) ? [] : readdirSync(folder);
  if (entries.includes(STACK_FOLDER_MARKER)) return;
  if (entries.length === 0 || entries.includes('cdk.tf.json')) writeFileSync(join(folder, STACK_FOLDER_MARKER), MARKER_TEXT);
}

/**
 * Creates a folder and the missing folders above it, one at a time. Node's own recursive mkdir never
 * returns for a path under /proc (mkdir there fails with ENOENT below an existing folder, forever).
 * @returns whether the folder was created
 */
export function makeFolder(folder: string): boolean {
  try {
    mkdirSync(folder);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(folder).isDirectory()) return false;
    if (code !== 'ENOENT' || dirname(folder) === folder) throw error;
  }
  makeFolder(dirname(folder));
  mkdirSync(folder);
  return true;
}

/** Removes the folders of stacks that are gone, as `cdktf synth` does (the cdktf CLI does it itself). */
export function removeOrphanFolders(plan: OutputFolderPlan): void {
  for (const folder of plan.orphans) rmSync(folder, { recursive: true, force: true });
}

/**
 * Runs the writing part of synth: a file system error (read-only, full, a pseudo file system, a folder
 * that is a file) becomes one line naming the path, not a stack trace.
 */
export function writingOutput<T>(projectRoot: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const { code, path, syscall } = error as NodeJS.ErrnoException;
    if (!code || !syscall) throw error;
    throw new UserError(`${path ? shownPath(projectRoot, path) : 'output folder'}: cannot ${syscall}: ${describeCode(code)}; synth writes the stacks there (set CDKTF_OUTDIR to another folder)`);
  }
}

/** Whether the cdktf CLI runs synth: it sets these for the app it runs (@cdktf/cli-core, lib/synth-stack.js). */
export function runByCdktfCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined && env.SYNTH_HCL_OUTPUT !== undefined;
}

function statOrUndefined(path: string, show: (path: string) => string, stat: (path: string) => Stats): Stats | undefined {
  try {
    return stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UserError(`${show(path)}: cannot be read: ${describeCode(code ?? 'unknown error')}; synth writes the stacks there (set CDKTF_OUTDIR to another folder)`);
  }
}

function readFolder(folder: string, show: (path: string) => string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    throw new UserError(`${show(folder)}: cannot be read: ${describeCode((error as NodeJS.ErrnoException).code ?? 'unknown error')}`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFile()) return 'a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular folder';
}

function shownPath(projectRoot: string, path: string): string {
  const inProject = relative(projectRoot, path);
  return inProject && !inProject.startsWith('..') && !isAbsolute(inProject) ? inProject : path;
}
