import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import type { Environment } from './environment';
import { CustomerTenantStack } from './customer-tenant-stack';
import { RestorePortalStack } from './restore-portal-stack';
import { withoutTokenStackTraces } from './token-stack-traces';

/** What every stack needs to know besides its environment. */
export interface StackContext {
  /** The project root: local state lives there. */
  readonly projectRoot: string;
  /** The final output folder (`cdktf.out`): stacks address local state relative to their folder in it. */
  readonly outdir: string;
  /** Who manages the registrations, written into their notes. */
  readonly managedBy: string;
}

/** One stack's Terraform JSON, built but not written, and the stacks it depends on. */
export interface BuiltStack {
  readonly name: string;
  readonly terraform: Record<string, unknown>;
  readonly dependencies: readonly string[];
}

/**
 * Adds the stacks of one environment to an app: its own, then one per customer tenant, which reads
 * the application's client ID from it (a cross-stack reference, so both must be in the same app).
 */
export function addEnvironmentStacks(app: Construct, environment: Environment, context: StackContext): void {
  const stackDir = (name: string) => join(context.outdir, 'stacks', name);
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

/**
 * Builds the stacks of the given environments in memory, as cdktf's own synthesis would (prepare,
 * validate, resolve), and returns their Terraform JSON. `scratchDir` must exist; nothing is written.
 */
export function buildStacks(environments: readonly Environment[], context: StackContext, scratchDir: string): BuiltStack[] {
  return withoutTokenStackTraces(() => {
    const app = new App({ outdir: scratchDir, stackTraces: false });
    for (const environment of environments) addEnvironmentStacks(app, environment, context);
    const stacks = app.node.findAll().filter(TerraformStack.isStack);
    for (const stack of stacks) stack.prepareStack();
    // Import blocks add a `terraform version` run per imported resource, failing with a stack trace;
    // synthProject has checked the version once, naming the environment (terraform-version.ts).
    const adopting = new Set(environments.filter((e) => e.adoption).map((e) => e.name));
    return stacks.map((stack) => {
      if (!adopting.has(stack.node.id)) stack.runAllValidations();
      return { name: stack.node.id, terraform: stack.toTerraform(), dependencies: stack.dependencies.map((d) => d.node.id) };
    });
  });
}

/**
 * Writes built stacks to `outdir` through cdktf's own synthesizer, so the files and manifest.json
 * are exactly what `app.synth()` writes.
 */
export function writeStacks(stacks: readonly BuiltStack[], outdir: string): void {
  // Validations ran when the stacks were built; these stand-ins hold only their JSON.
  const app = new App({ outdir, stackTraces: false, skipValidation: true });
  const byName = new Map(stacks.map((stack) => [stack.name, new BuiltTerraformStack(app, stack)]));
  for (const stack of stacks) {
    for (const dependency of stack.dependencies) byName.get(stack.name)!.addDependency(byName.get(dependency)!);
  }
  app.synth();
}

/** A stack whose Terraform JSON was built elsewhere (another thread): synthesis writes it as it is. */
class BuiltTerraformStack extends TerraformStack {
  constructor(scope: Construct, private readonly built: BuiltStack) {
    super(scope, built.name);
  }

  public toTerraform(): Record<string, unknown> {
    return this.built.terraform;
  }

  public prepareStack(): void {
    // Prepared when built.
  }
}
