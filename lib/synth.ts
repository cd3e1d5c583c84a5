import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { environmentFiles, loadEnvironments, type EnvironmentFilesOptions } from './environment-files';
import { buildStacksInParallel, SynthesisWorker } from './parallel-synthesis';
import { InputError, type Warning } from './problem';
import { synthOutdir } from './stack-directory';
import { writeStacks } from './stack-synthesis';
import { importBlocksProblem } from './terraform-version';

export interface SynthOptions extends EnvironmentFilesOptions {
  /** Where to write the Terraform JSON. @default `$CDKTF_OUTDIR` or `<projectRoot>/cdktf.out` */
  readonly outdir?: string;
}

export interface SynthResult {
  /** Names of the synthesized stacks, one per environment. */
  readonly stacks: readonly string[];
  /** The folder written. */
  readonly outdir: string;
  /** Warnings about the environments, for synth to print. */
  readonly warnings: readonly Warning[];
}

/**
 * Validates every environment, then synthesizes one stack each. Nothing is written unless all
 * environments are valid, and the stacks are written to a staging folder first and moved into
 * place, so a failed run leaves an earlier `cdktf.out` as it was.
 * @throws InputError listing every problem of every environment
 */
export function synthProject(options: SynthOptions): SynthResult {
  const projectRoot = resolve(options.projectRoot);
  const outdir = synthOutdir(projectRoot, options.outdir);
  const environmentsDir = options.environmentsDir ?? join(projectRoot, 'environments');
  const worker = SynthesisWorker.startFor(options.only?.length ?? countEnvironmentFiles(environmentsDir));
  const staging = `${outdir}.staging-${process.pid}`;
  try {
    const { environments, problems, warnings } = loadEnvironments({ ...options, projectRoot, environmentsDir });
    if (problems.length > 0) throw new InputError(problems);
    const adopting = environments.filter((e) => e.adoption);
    const terraformProblem = adopting.length > 0 ? importBlocksProblem() : undefined;
    if (terraformProblem) throw new InputError(adopting.map((e) => ({ file: e.file, path: 'adopt', message: terraformProblem })));
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const context = { projectRoot, outdir, managedBy: repositoryName(projectRoot) };
    writeStacks(buildStacksInParallel(environments, context, staging, worker), staging);
    moveInto(staging, outdir);
    // A partial synth (plan of one environment) must keep the other stacks' folders and saved plans.
    if (!options.only) removeOrphanStacks(outdir, environments.map((e) => e.name));
    return { stacks: environments.map((e) => e.name), outdir, warnings };
  } finally {
    worker?.stop();
    rmSync(staging, { recursive: true, force: true });
  }
}

function countEnvironmentFiles(environmentsDir: string): number {
  try {
    return environmentFiles(environmentsDir).length;
  } catch {
    return 0;
  }
}

/** The name in package.json: the repository that manages the registrations. */
function repositoryName(projectRoot: string): string {
  try {
    const name = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).name;
    if (typeof name === 'string' && name) return `the ${name} repository (CDK for Terraform)`;
  } catch {
    // fall through
  }
  return 'CDK for Terraform';
}

/** Moves every file of `from` into `to`, replacing files one by one and keeping what else is there (.terraform). */
function moveInto(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const source = join(entry.parentPath ?? entry.path, entry.name);
    const target = join(to, source.slice(from.length + 1));
    mkdirSync(dirname(target), { recursive: true });
    renameSync(source, target);
  }
}

/** Stack folders of environments that no longer exist, as `cdktf synth` removes them. */
function removeOrphanStacks(outdir: string, stacks: readonly string[]): void {
  const stacksDir = join(outdir, 'stacks');
  if (!existsSync(stacksDir)) return;
  for (const entry of readdirSync(stacksDir, { withFileTypes: true })) {
    if (entry.isDirectory() && !stacks.includes(entry.name)) rmSync(join(stacksDir, entry.name), { recursive: true, force: true });
  }
}
