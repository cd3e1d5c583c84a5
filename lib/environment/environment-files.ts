import { readdirSync, type Dirent } from 'node:fs';
import { types } from 'node:util';
import { basename, dirname, join, relative } from 'node:path';
import { parseEnvironment, type Environment } from './environment';
import { sharedStateLocations } from './state-locations';
import { describe } from '../input/field-reader';
import { formatProblem, InputError, type Problem, type Warning } from '../process/problem';
import { UserError } from '../process/command-line';
import { unknownEnvironmentMessage } from './unknown-environment';

export interface EnvironmentFilesOptions {
  /** The project root; file names in messages are relative to it. */
  readonly projectRoot: string;
  /** The folder holding one `<name>.ts` per environment. @default `<projectRoot>/environments` */
  readonly environmentsDir?: string;
  /** Only these environments (by name). @default every environment file */
  readonly only?: readonly string[];
  /** The time certificates must still be valid at. @default now */
  readonly now?: Date;
  /** Keep expired certificates instead of rejecting them, for reports that must list them. @default false */
  readonly allowExpired?: boolean;
}

export interface LoadedEnvironments {
  readonly environments: readonly Environment[];
  readonly problems: readonly Problem[];
  readonly warnings: readonly Warning[];
}

/**
 * The environment files in a folder: every regular file `<name>.ts` except declaration files and
 * files starting with `_` (shared helpers an environment may import), in name order so output is
 * deterministic. This is the one definition of an environment file: synth, the commands and the
 * workflows' environment list (`npm run environments`) all read the folder through it.
 */
export function environmentFiles(environmentsDir: string): string[] {
  return readdirSync(environmentsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && isEnvironmentFileName(e.name))
    .map((e) => join(environmentsDir, e.name))
    .sort();
}

function isEnvironmentFileName(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('_');
}

/** Script-like names a user may have meant as an environment: `prod.js`, `prod.mts`, `prod.TS`, ... */
const LOOKS_LIKE_AN_ENVIRONMENT = /\.[cm]?[jt]sx?$/i;

/**
 * Entries of the environments folder that look like environments but are not read, each a problem:
 * an environment that silently drops out of synth and the workflows is never planned, and a link
 * could point anywhere on the machine that runs CI.
 */
function strayEnvironmentFiles(environmentsDir: string, projectRoot: string): Problem[] {
  return readdirSync(environmentsDir, { withFileTypes: true })
    .filter((e) => LOOKS_LIKE_AN_ENVIRONMENT.test(e.name) && !e.name.startsWith('_') && !e.name.startsWith('.') && !/\.d\.[cm]?ts$/i.test(e.name))
    .filter((e) => !(e.isFile() && isEnvironmentFileName(e.name)))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((e) => ({ file: relative(projectRoot, join(environmentsDir, e.name)), path: '', message: strayMessage(e) }));
}

function strayMessage(entry: Dirent): string {
  const stem = entry.name.replace(LOOKS_LIKE_AN_ENVIRONMENT, '');
  if (entry.isSymbolicLink()) return 'is a symbolic link, and links are not read as environments (one could point anywhere): put the file itself here';
  if (entry.isDirectory()) return `is a folder, not an environment file: an environment is one file ${stem}.ts; rename the folder`;
  if (!entry.isFile()) return 'is not a regular file, and is not read as an environment: remove it';
  return `is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to ${stem}.ts, or to _${entry.name} if other files import it`;
}

/**
 * Each `--outputs <environment>=<file>` must name an environment the command covers (`covered`, as
 * loaded): one that exists but was not named is told so, not called unknown; another gets what was
 * likely meant.
 * @throws UserError naming the first that covers none
 */
export function checkOutputsNames(names: Iterable<string>, covered: readonly Environment[], options: EnvironmentFilesOptions): void {
  for (const name of names) {
    if (covered.some((e) => e.name === name)) continue;
    const all = environmentFiles(options.environmentsDir ?? join(options.projectRoot, 'environments')).map((file) => basename(file, '.ts'));
    if (all.includes(name)) {
      throw new UserError(`--outputs ${name}=...: ${name} is not among the environments named (${covered.map((e) => e.name).join(', ')}); name it too, or leave its --outputs out`);
    }
    throw new UserError(`--outputs ${name}=...: ${unknownEnvironmentMessage(name, all)}`);
  }
}

/**
 * Loads and validates every environment file (or those named in `only`), collecting the problems of all of them.
 * @throws UserError when a name in `only` is no environment, saying what was likely meant
 */
export function loadEnvironments(options: EnvironmentFilesOptions): LoadedEnvironments {
  const environmentsDir = options.environmentsDir ?? join(options.projectRoot, 'environments');
  const now = options.now ?? new Date();
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const environments: Environment[] = [];
  let files: string[];
  try {
    files = environmentFiles(environmentsDir);
  } catch {
    return { environments, warnings, problems: [{ file: relative(options.projectRoot, environmentsDir) || '.', path: '', message: 'folder not found: create it with one <name>.ts file per environment' }] };
  }
  const strays = strayEnvironmentFiles(environmentsDir, options.projectRoot);
  problems.push(...strays);
  const names = files.map((f) => basename(f, '.ts'));
  // A name the command line got wrong is said first and alone: nothing is loaded for it.
  for (const wanted of options.only ?? []) {
    if (!names.includes(wanted)) {
      const unread = strays.find((stray) => basename(stray.file).replace(LOOKS_LIKE_AN_ENVIRONMENT, '') === wanted);
      throw new UserError(unknownEnvironmentMessage(wanted, names, unread && formatProblem(unread)));
    }
  }
  const byFoldedName = new Map<string, string>();
  // Taken once: after each file the shared prototypes are put back to exactly this.
  let prototypes: Descriptors[] | undefined;
  for (const file of files) {
    const name = basename(file, '.ts');
    const display = relative(options.projectRoot, file);
    const sameName = byFoldedName.get(name.toLowerCase());
    if (sameName === undefined) byFoldedName.set(name.toLowerCase(), display);
    if (options.only && !options.only.includes(name)) continue;
    if (sameName !== undefined) {
      problems.push({
        file: display,
        path: '',
        message: `has the same name as ${sameName} once case is ignored: Windows and macOS see one file, and both stacks would share one folder and state; rename one`,
      });
      continue;
    }
    const loaded = loadDefaultExport(file, (prototypes ??= SHARED_PROTOTYPES.map(ownDescriptors)));
    if ('problem' in loaded) {
      problems.push({ file: display, path: '', message: loaded.problem });
      continue;
    }
    const result = parseEnvironment(loaded.value, { name, file: display, environmentsDir, now, allowExpired: options.allowExpired });
    if (result.environment) environments.push(result.environment);
    problems.push(...result.problems);
    warnings.push(...result.warnings);
  }
  problems.push(...stackNameCollisions(environments), ...sharedStateLocations(environments, options.projectRoot));
  if (files.length === 0 && problems.length === 0) {
    problems.push({
      file: relative(options.projectRoot, environmentsDir) || '.',
      path: '',
      message: 'holds no environment file: add one <name>.ts that default-exports defineEnvironment({ ... })',
    });
  }
  return { environments, problems, warnings };
}

/**
 * Loads and validates the one environment a command is about.
 * @throws InputError naming the file and every problem; UserError when there is no such environment
 */
export function loadEnvironment(options: EnvironmentFilesOptions, name: string): { environment: Environment; warnings: readonly Warning[] } {
  const { environments, problems, warnings } = loadEnvironments({ ...options, only: [name] });
  if (problems.length > 0 || environments.length !== 1) throw new InputError(problems);
  return { environment: environments[0], warnings };
}

/**
 * Stacks of different environments that would share a name, ignoring case (their folders in
 * cdktf.out, and their default state, would be one): `a-tenant` with customer `b` and `a` with
 * customer `tenant-b` both make `a-tenant-tenant-b`. Reported on the later file, naming the earlier.
 */
function stackNameCollisions(environments: readonly Environment[]): Problem[] {
  const owners = new Map<string, { file: string; what: string }>();
  const problems: Problem[] = [];
  for (const environment of environments) {
    const stacks = [
      { stack: environment.name, path: '', what: 'its own stack' },
      ...environment.customerTenants.map((t, i) => ({ stack: t.stackName, path: `customerTenants[${i}].name`, what: `the stack of customer tenant "${t.name}"` })),
    ];
    for (const { stack, path, what } of stacks) {
      const owner = owners.get(stack.toLowerCase());
      if (owner === undefined) {
        owners.set(stack.toLowerCase(), { file: environment.file, what });
      } else if (owner.file !== environment.file) {
        problems.push({
          file: environment.file,
          path,
          message: `makes the stack "${stack}", which ${owner.file} also makes (${owner.what}), ignoring case; rename the customer tenant or the file`,
        });
      }
    }
  }
  return problems;
}

/**
 * Runs an environment file and takes its default export, never letting what the file does (throw,
 * export a getter that throws, a Proxy, a Promise) escape as a stack trace: each ends in one line.
 */
function loadDefaultExport(file: string, prototypes: readonly Descriptors[]): { value: unknown } | { problem: string } {
  let module: unknown;
  let failure: { error: unknown } | undefined;
  const exit = process.exit;
  const write = process.stdout.write;
  let restoreFileWrites: (() => void) | undefined;
  try {
    // Exiting would end synth with the code the file chose, as if it had succeeded.
    process.exit = ((code?: number) => {
      throw new Error(`it called process.exit(${code ?? ''}); an environment file only exports its object`);
    }) as typeof process.exit;
    // What a file prints (a console.log left from debugging) goes to stderr: stdout is the commands'
    // machine output, the JSON job list CI reads among it.
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    restoreFileWrites = sendFileWritesToStderr();
    // A long-running caller (tests, a watch loop) must see the file as it is now.
    delete require.cache[file];
    module = require(file);
  } catch (error) {
    failure = { error };
  } finally {
    process.exit = exit;
    process.stdout.write = write;
    restoreFileWrites?.();
  }
  const changed = restorePrototypes(prototypes);
  if (changed.length > 0) return { problem: `changes what every object, list or string inherits (${changed.join(', ')}); an environment file only exports its object` };
  if (failure) return { problem: `could not be loaded: ${inAnotherFile(failure.error, file)}${firstLine(failure.error)}` };
  if (typeof module !== 'object' || module === null || types.isProxy(module)) return { problem: `${EXPECTED} (module.exports was replaced)` };
  let value: unknown;
  try {
    const descriptor = Object.getOwnPropertyDescriptor(module, 'default');
    if (!descriptor) return { problem: `${EXPECTED} (found no default export)` };
    // Compiled ES modules export through a getter over the module's own binding: call that one only.
    value = descriptor.get ? descriptor.get.call(module) : descriptor.value;
  } catch (error) {
    return { problem: `could not be loaded: reading its default export failed: ${firstLine(error)}` };
  }
  if (types.isPromise(value)) return { problem: 'default-exports a Promise: await ... is not supported in environment files; export the object: export default defineEnvironment({ ... })' };
  if (types.isAsyncFunction(value)) return { problem: 'default-exports an async function: await ... is not supported in environment files; export the object: export default defineEnvironment({ ... })' };
  if (typeof value === 'function') return { problem: `${EXPECTED} (found a function; export the object it would return)` };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `${EXPECTED} (found ${describe(value)})` };
  return { value };
}

/** The fs functions that write to a file descriptor or a path, which a file can aim at stdout. */
const FILE_WRITERS = ['writeSync', 'write', 'writeFileSync', 'writeFile', 'appendFileSync', 'appendFile'] as const;
const STDOUT_PATHS = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

/**
 * While a file loads, its writes to file descriptor 1 or to `/dev/stdout` (`fs.writeSync(1, ...)`,
 * bypassing process.stdout) go to 2 as well: a workflow reads a command's stdout into $GITHUB_OUTPUT.
 * Returns what puts fs back.
 */
function sendFileWritesToStderr(): () => void {
  const fs: Record<(typeof FILE_WRITERS)[number], (...args: unknown[]) => unknown> = require('node:fs');
  const originals = FILE_WRITERS.map((name) => [name, fs[name]] as const);
  for (const [name, original] of originals) {
    fs[name] = function (this: unknown, target: unknown, ...rest: unknown[]) {
      const toStdout = target === 1 || (typeof target === 'string' && STDOUT_PATHS.has(target));
      return original.call(this, toStdout ? 2 : target, ...rest);
    };
  }
  return () => {
    for (const [name, original] of originals) fs[name] = original;
  };
}

/**
 * What every object, list, function and string inherits: a file that adds to them or replaces a
 * method (a polyfill, a pollution) changes what every later file and this tool's own checks read.
 * This guards against accidents, not attacks: an environment file is code and runs with synth's rights.
 */
const SHARED_PROTOTYPES: readonly object[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype];

type Descriptors = Map<string | symbol, PropertyDescriptor>;

function ownDescriptors(prototype: object): Descriptors {
  return new Map(Reflect.ownKeys(prototype).map((key) => [key, Object.getOwnPropertyDescriptor(prototype, key)!]));
}

/** Puts the shared prototypes back as they were before the file ran, and names what it had changed. */
function restorePrototypes(before: readonly Descriptors[]): string[] {
  const changed: string[] = [];
  SHARED_PROTOTYPES.forEach((prototype, index) => {
    const name = `${['Object', 'Array', 'Function', 'String'][index]}.prototype`;
    const was = before[index];
    for (const key of new Set([...was.keys(), ...Reflect.ownKeys(prototype)])) {
      const old = was.get(key);
      const now = Object.getOwnPropertyDescriptor(prototype, key);
      if (old && now && old.value === now.value && old.get === now.get && old.set === now.set) continue;
      changed.push(`${now && !old ? 'adds' : 'changes'} ${name}.${String(typeof key === 'symbol' ? key.description : key)}`);
      if (old) Object.defineProperty(prototype, key, old);
      else Reflect.deleteProperty(prototype, key);
    }
  });
  return changed;
}

const EXPECTED = 'must default-export defineEnvironment({ ... })';
/** Long enough for any real error message, short enough to stay one line of a CI log. */
const MAX_MESSAGE = 300;

/** `_shared.ts: ` when the syntax error is in a file the environment imports: its line and column are that file's. */
function inAnotherFile(error: unknown, file: string): string {
  const where = (error as { file?: unknown } | null)?.file;
  return typeof where === 'string' && where !== file ? `${relative(dirname(file), where)}: ` : '';
}

/**
 * The first informative line of an error (SWC's syntax errors come with a drawn code frame), without
 * control characters: what a file throws is shown, and must not drive the terminal.
 */
function firstLine(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'it threw a value that cannot be shown';
  }
  const line = text
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/^\s*[x×]\s+/, '').trim())
    .find((l) => l !== '' && !/^(Caused by:|Syntax Error|Error:)$/.test(l));
  if (line === undefined) return 'unknown error';
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}...` : line;
}
