import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TENANT_STACK_MARKER } from '../tenants/customer-tenant';
import { terraformTextProblem } from '../construct/terraform-literal';
import type { Environment } from '../environment/environment';
import { loadEnvironments, type EnvironmentFilesOptions } from '../environment/environment-files';
import { InputError, type Warning } from '../process/problem';
import { stacksFolder, synthOutdir } from '../process/stack-directory';
import { buildApp, writeApp } from './stack-synthesis';
import { importBlocksProblem } from '../process/terraform-version';

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
 * Validates every environment, then synthesizes its stacks. Nothing is written unless every
 * environment is valid and every stack has built, so a failed run leaves an earlier `cdktf.out` as
 * it was; then each changed file is replaced whole.
 * @throws InputError listing every problem of every environment
 */
export function synthProject(options: SynthOptions): SynthResult {
  const projectRoot = resolve(options.projectRoot);
  const outdir = synthOutdir(projectRoot, options.outdir);
  const { environments, problems, warnings } = loadEnvironments({ ...options, projectRoot });
  if (problems.length > 0) throw new InputError(problems);
  const adopting = environments.filter((e) => e.adoption);
  const terraformProblem = adopting.length > 0 ? importBlocksProblem() : undefined;
  if (terraformProblem) throw new InputError(adopting.map((e) => ({ file: e.file, path: 'adopt', message: terraformProblem })));
  writeApp(buildApp(environments, { projectRoot, outdir, managedBy: repositoryName(projectRoot) }), outdir);
  removeOrphanStacks(outdir, environments, { partial: Boolean(options.only) });
  const homeStacks = Object.fromEntries(environments.flatMap((e) => e.customerTenants.map((t) => [t.stackName, e.name])));
  return { stacks: environments.flatMap(stacksOf), homeStacks, outdir, warnings };
}

/** The name in package.json: the repository that manages the registrations. */
function repositoryName(projectRoot: string): string {
  try {
    const name = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).name;
    // package.json is input like any other: a name holding a cdktf reference marker is not used.
    if (typeof name === 'string' && name && !terraformTextProblem(name)) return `the ${name} repository (CDK for Terraform)`;
  } catch {
    // fall through
  }
  return 'CDK for Terraform';
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
  const stacksDir = stacksFolder(outdir);
  if (!existsSync(stacksDir)) return;
  const stacks = environments.flatMap(stacksOf);
  const owned = (stack: string) => !opts.partial || environments.some((e) => stack.startsWith(`${e.name}${TENANT_STACK_MARKER}`));
  for (const entry of readdirSync(stacksDir, { withFileTypes: true })) {
    if (entry.isDirectory() && !stacks.includes(entry.name) && owned(entry.name)) rmSync(join(stacksDir, entry.name), { recursive: true, force: true });
  }
}
