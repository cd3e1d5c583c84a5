import { readdirSync } from 'node:fs';
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
 * The environment files in a folder: every `<name>.ts` except declaration files and files starting
 * with `_` (shared helpers an environment may import), in name order so output is deterministic.
 */
export function environmentFiles(environmentsDir: string): string[] {
  return readdirSync(environmentsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.startsWith('_'))
    .map((e) => join(environmentsDir, e.name))
    .sort();
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
