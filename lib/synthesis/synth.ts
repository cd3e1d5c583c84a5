import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TENANT_STACK_MARKER } from '../tenants/customer-tenant';
import { terraformTextProblem } from '../process/terraform-literal';
import type { Environment } from '../environment/environment';
import { loadEnvironments, type EnvironmentFilesOptions } from '../environment/environment-files';
import { UserError } from '../process/command-line';
import { InputError, type Warning } from '../process/problem';
import { synthOutdir } from '../process/stack-directory';
import { buildApp, writeApp } from './stack-synthesis';
import { inspectOutputFolder, removeOrphanFolders, runByCdktfCli, writingOutput } from './output-folder';
import { importBlocksProblem } from '../process/terraform-version';

export interface SynthOptions extends EnvironmentFilesOptions {
  /** Where to write the Terraform JSON. @default `$CDKTF_OUTDIR` or `<projectRoot>/cdktf.out` */
  readonly outdir?: string;
}

export interface SynthResult {
  /** The environments synthesized, validated. */
  readonly environments: readonly Environment[];
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
 * environment is valid, every stack has built and the output folder is usable, so a failed run leaves
 * an earlier `cdktf.out` as it was; then each changed file is replaced whole. Only stack folders synth
 * made are ever removed.
 * @throws InputError listing every problem of every environment
 * @throws UserError for an output folder synth cannot write, or `cdktf synth --hcl`
 */
export function synthProject(options: SynthOptions): SynthResult {
  const projectRoot = resolve(options.projectRoot);
  const outdir = synthOutdir(projectRoot, options.outdir);
  if (['true', '1'].includes(process.env.SYNTH_HCL_OUTPUT ?? '')) {
    throw new UserError('cdktf synth --hcl (SYNTH_HCL_OUTPUT) is not supported: synth writes Terraform JSON (cdk.tf.json), which plan, drift and deploy read; run it without --hcl');
  }
  const { environments, problems, warnings } = loadEnvironments({ ...options, projectRoot });
  if (problems.length > 0) throw new InputError(problems);
  // Import blocks (an adopted registration, or what a customer tenant already has) need Terraform 1.5+.
  const importing = environments.flatMap((e) => [
    ...(e.adoption ? [{ file: e.file, path: 'adopt' }] : []),
    ...e.customerTenants.flatMap((t, i) => (t.adoption ? [{ file: e.file, path: `customerTenants[${i}].adopt` }] : [])),
  ]);
  const terraformProblem = importing.length > 0 ? importBlocksProblem() : undefined;
  if (terraformProblem) throw new InputError(importing.map((where) => ({ ...where, message: terraformProblem })));
  const stacks = environments.flatMap(stacksOf);
  const partial = Boolean(options.only);
  const folder = inspectOutputFolder(outdir, {
    projectRoot,
    stacks,
    cdktfCli: runByCdktfCli(),
    // A partial synth (plan of some environments) keeps the other environments' folders and saved
    // plans, and removes only the synthesized environments' former tenant stacks.
    responsibleFor: (stack) => !partial || environments.some((e) => stack.startsWith(`${e.name}${TENANT_STACK_MARKER}`)),
  });
  const built = buildApp(environments, { projectRoot, outdir, managedBy: repositoryName(projectRoot) });
  writingOutput(projectRoot, () => {
    writeApp(built, outdir);
    removeOrphanFolders(folder);
  });
  const homeStacks = Object.fromEntries(environments.flatMap((e) => e.customerTenants.map((t) => [t.stackName, e.name])));
  return { environments, stacks, homeStacks, outdir, warnings: [...warnings, ...folder.warnings] };
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
