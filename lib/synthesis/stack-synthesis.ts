import { App, Manifest, TerraformStack, type IManifest } from 'cdktf';
import type { Construct } from 'constructs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Environment } from '../environment/environment';
import { CustomerTenantStack } from '../tenants/customer-tenant-stack';
import { RestorePortalStack } from './restore-portal-stack';
import { temporaryFileWriter, writeFileAtomically } from '../process/atomic-file';
import { stackFolder } from '../process/stack-directory';
import { withoutIsArrayDeprecation, withoutTokenStackTraces } from './synthesis-shortcuts';
import { makeFolder, prepareStackFolder } from './output-folder';
import { UserError } from '../process/command-line';

/** What every stack needs to know besides its environment. */
export interface StackContext {
  /** The project root: local state lives there. */
  readonly projectRoot: string;
  /** The final output folder (`cdktf.out`): stacks address local state relative to their folder in it. */
  readonly outdir: string;
  /** Who manages the registrations, written into their notes. */
  readonly managedBy: string;
}

/** The whole app, built in memory: every stack's Terraform JSON and the manifest cdktf-cli reads. */
export interface BuiltApp {
  readonly manifest: IManifest;
  /** Terraform JSON by stack name. */
  readonly stacks: ReadonlyMap<string, Record<string, unknown>>;
}

/**
 * Adds the stacks of one environment to an app: its own, then one per customer tenant, which reads
 * the application's client ID from it (a cross-stack reference, so both must be in the same app).
 */
export function addEnvironmentStacks(app: Construct, environment: Environment, context: StackContext): void {
  const stackDir = (name: string) => stackFolder(context.outdir, name);
  const home = new RestorePortalStack(app, {
    environment,
    managedBy: context.managedBy,
    paths: { stackDir: stackDir(environment.name), projectRoot: context.projectRoot },
  });
  for (const tenant of environment.customerTenants) {
    new CustomerTenantStack(app, {
      environment,
      tenant,
      clientId: home.app.clientId,
      paths: { stackDir: stackDir(tenant.stackName), projectRoot: context.projectRoot },
    });
  }
}

/** The app's folder, which is never written to: cdktf only insists that it exists. */
function scratchFolder(): string {
  const parent = tmpdir();
  try {
    return mkdtempSync(join(parent, 'restore-portal-synth-'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UserError(`${parent}: cannot make a scratch folder there (${code}); synth needs one in the temporary folder: set TMPDIR to a writable folder`);
  }
}

/**
 * Builds the stacks of the given environments in memory, as cdktf's own synthesis would (prepare,
 * validate, resolve), so that nothing is written until everything has built.
 */
export function buildApp(environments: readonly Environment[], context: StackContext): BuiltApp {
  const scratch = scratchFolder();
  try {
    return withoutTokenStackTraces(() => withoutIsArrayDeprecation(() => {
      const app = new App({ outdir: scratch, stackTraces: false });
      for (const environment of environments) addEnvironmentStacks(app, environment, context);
      const stacks = app.node.findAll().filter(TerraformStack.isStack);
      for (const stack of stacks) stack.prepareStack();
      // Import blocks add a `terraform version` run per imported resource, failing with a stack trace;
      // synthProject has checked the version once, naming the environment (terraform-version.ts).
      const adopting = new Set(
        environments.flatMap((e) => [...(e.adoption ? [e.name] : []), ...e.customerTenants.filter((t) => t.adoption).map((t) => t.stackName)]),
      );
      const built = new Map<string, Record<string, unknown>>();
      for (const stack of stacks) {
        if (!adopting.has(stack.node.id)) stack.runAllValidations();
        app.manifest.forStack(stack);
        built.set(stack.node.id, stack.toTerraform());
      }
      return { manifest: app.manifest.buildManifest(), stacks: built };
    }));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Writes a built app into `outdir` as `cdktf synth` lays it out (manifest.json, stacks/<name>/cdk.tf.json),
 * keys sorted as cdktf writes them. Each file is replaced whole (written beside it, then renamed), and a
 * file whose content is unchanged is left alone, so other tools' files (.terraform, saved plans) stay.
 * The manifest comes last: a run killed part-way leaves each stack old or new, and the next run
 * finishes the job, clearing what the killed one left half-done.
 */
export function writeApp(built: BuiltApp, outdir: string): void {
  makeFolder(outdir);
  for (const [name, terraform] of built.stacks) {
    const file = join(outdir, built.manifest.stacks[name].synthesizedStackPath);
    prepareStackFolder(dirname(file));
    removeStaleTemporaries(dirname(file));
    writeIfChanged(file, terraform);
  }
  removeStaleTemporaries(outdir);
  writeIfChanged(join(outdir, Manifest.fileName), built.manifest);
}

function writeIfChanged(file: string, value: unknown): void {
  const text = `${JSON.stringify(sortKeys(value), null, 2)}\n`;
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    // not written yet
  }
  writeFileAtomically(file, text);
}

/** Files writeIfChanged left behind when a synth was killed between writing and renaming them. */
function removeStaleTemporaries(folder: string): void {
  for (const name of readdirSync(folder)) {
    const pid = temporaryFileWriter(name, 'cdk.tf.json') ?? temporaryFileWriter(name, Manifest.fileName);
    if (pid !== undefined && !isRunning(pid)) unlinkSync(join(folder, name));
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // Without a prototype, a key "__proto__" is a key like any other.
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
