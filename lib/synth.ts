import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TENANT_STACK_MARKER } from './customer-tenant';
import type { Environment } from './environment';
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
  /** Names of the synthesized stacks: each environment's, followed by those of its customer tenants. */
  readonly stacks: readonly string[];
  /** The environment stack each customer tenant stack reads the client ID from, by tenant stack name. */
  readonly homeStacks: Readonly<Record<string, string>>;
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
    removeOrphanStacks(outdir, environments, { partial: Boolean(options.only) });
    const homeStacks = Object.fromEntries(environments.flatMap((e) => e.customerTenants.map((t) => [t.stackName, e.name])));
    return { stacks: environments.flatMap(stacksOf), homeStacks, outdir, warnings };
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

function stacksOf(environment: Environment): string[] {
  return [environment.name, ...environment.customerTenants.map((t) => t.stackName)];
}

/**
 * Stack folders of environments and customer tenants that no longer exist, as `cdktf synth` removes
 * them. A partial synth (plan of one environment) keeps the other environments' folders and saved
 * plans, and removes only the synthesized environments' former tenant stacks.
 */
function removeOrphanStacks(outdir: string, environments: readonly Environment[], opts: { partial: boolean }): void {
  const stacksDir = join(outdir, 'stacks');
  if (!existsSync(stacksDir)) return;
  const stacks = environments.flatMap(stacksOf);
  const owned = (stack: string) => !opts.partial || environments.some((e) => stack.startsWith(`${e.name}${TENANT_STACK_MARKER}`));
  for (const entry of readdirSync(stacksDir, { withFileTypes: true })) {
    if (entry.isDirectory() && !stacks.includes(entry.name) && owned(entry.name)) rmSync(join(stacksDir, entry.name), { recursive: true, force: true });
  }
}
