import { readdirSync, type Dirent } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseEnvironment, type Environment } from './environment';
import { InputError, type Problem, type Warning } from '../process/problem';

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
export function strayEnvironmentFiles(environmentsDir: string, projectRoot: string): Problem[] {
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

/** Loads and validates every environment file, collecting the problems of all of them. */
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
  problems.push(...strayEnvironmentFiles(environmentsDir, options.projectRoot));
  const names = files.map((f) => basename(f, '.ts'));
  for (const wanted of options.only ?? []) {
    if (!names.includes(wanted)) {
      problems.push({
        file: relative(options.projectRoot, join(environmentsDir, `${wanted}.ts`)),
        path: '',
        message: `no such environment; known: ${names.join(', ') || 'none'}`,
      });
    }
  }
  for (const file of files) {
    const name = basename(file, '.ts');
    if (options.only && !options.only.includes(name)) continue;
    const display = relative(options.projectRoot, file);
    const loaded = loadDefaultExport(file);
    if ('problem' in loaded) {
      problems.push({ file: display, path: '', message: loaded.problem });
      continue;
    }
    const result = parseEnvironment(loaded.value, { name, file: display, environmentsDir, now, allowExpired: options.allowExpired });
    if (result.environment) environments.push(result.environment);
    problems.push(...result.problems);
    warnings.push(...result.warnings);
  }
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
 * @throws InputError naming the file and every problem, or the known environments when there is no such file
 */
export function loadEnvironment(options: EnvironmentFilesOptions, name: string): { environment: Environment; warnings: readonly Warning[] } {
  const { environments, problems, warnings } = loadEnvironments({ ...options, only: [name] });
  if (problems.length > 0 || environments.length !== 1) throw new InputError(problems);
  return { environment: environments[0], warnings };
}

function loadDefaultExport(file: string): { value: unknown } | { problem: string } {
  let module: Record<string, unknown>;
  try {
    // A long-running caller (tests, a watch loop) must see the file as it is now.
    delete require.cache[file];
    module = require(file);
  } catch (error) {
    return { problem: `could not be loaded: ${firstLine(error)}` };
  }
  if (!('default' in module)) return { problem: 'must default-export defineEnvironment({ ... }) (found no default export)' };
  return { value: module.default };
}

/** The first informative line of an error (SWC's syntax errors come with a drawn code frame). */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\s*[x×]\s+/, '').trim())
    .find((l) => l !== '' && !/^(Caused by:|Syntax Error|Error:)$/.test(l));
  return line ?? 'unknown error';
}
