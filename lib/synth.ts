import { App } from 'cdktf';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Environment } from './environment';
import { loadEnvironments, type EnvironmentFilesOptions } from './environment-files';
import { InputError, type Warning } from './problem';
import { RestorePortalStack } from './restore-portal-stack';
import { importBlocksProblem } from './terraform-version';
import { withoutTokenStackTraces } from './token-stack-traces';

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
  const outdir = resolve(projectRoot, options.outdir ?? (process.env.CDKTF_OUTDIR || 'cdktf.out'));
  const { environments, problems, warnings } = loadEnvironments({ ...options, projectRoot });
  if (problems.length > 0) throw new InputError(problems);
  const adopting = environments.filter((e) => e.adoption);
  const terraformProblem = adopting.length > 0 ? importBlocksProblem() : undefined;
  if (terraformProblem) throw new InputError(adopting.map((e) => ({ file: e.file, path: 'adopt', message: terraformProblem })));

  const staging = `${outdir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    synthesizeStacks(environments, { projectRoot, outdir, staging, managedBy: repositoryName(projectRoot) });
    moveInto(staging, outdir);
    removeOrphanStacks(outdir, environments.map((e) => e.name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { stacks: environments.map((e) => e.name), outdir, warnings };
}

/** Builds the cdktf app of the given environments and writes it to `staging`. */
export function synthesizeStacks(
  environments: readonly Environment[],
  opts: { projectRoot: string; outdir: string; staging: string; managedBy: string },
): void {
  withoutTokenStackTraces(() => {
    // With import blocks, cdktf's validations run `terraform version` once per imported resource and
    // fail with a stack trace; synthProject has checked the version once, with a clear message.
    const skipValidation = environments.some((e) => e.adoption);
    const app = new App({ outdir: opts.staging, hclOutput: false, stackTraces: false, skipValidation });
    for (const environment of environments) {
      new RestorePortalStack(app, {
        environment,
        managedBy: opts.managedBy,
        paths: { stackDir: join(opts.outdir, 'stacks', environment.name), projectRoot: opts.projectRoot },
      });
    }
    app.synth();
  });
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
