import { spawnSync } from 'node:child_process';
import { UserError } from './command-line';

/** The saved plan, in the stack folder: what `terraform apply` applies after review. */
export const PLAN_FILE = 'plan.tfplan';

export interface TerraformOptions {
  /** Environment of the terraform process: PATH finds `terraform`, ARM_* / OIDC variables sign in. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Told before each step, so a long init is not silent. */
  readonly onStep?: (step: string) => void;
}

/** A terraform step that failed; `output` is all it printed, for callers that recognise particular errors. */
export class TerraformFailure extends UserError {
  constructor(
    message: string,
    readonly step: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/**
 * Plans one synthesized stack as CI would: `init`, `plan -detailed-exitcode -out`, `show -json`.
 * Returns the plan JSON. A failing step is a `UserError` carrying Terraform's own reason on one line.
 */
export function planStack(stackDir: string, stack: string, options: TerraformOptions = {}): string {
  const run = (step: string, args: readonly string[], success?: readonly number[]) => runTerraform(stackDir, stack, step, args, options, success);
  run('init', ['init', '-input=false', '-no-color']);
  // -detailed-exitcode: 0 no changes, 2 changes, 1 error; the report decides what the changes mean.
  // -lock=false: planning only reads state, so a read-only identity can plan; `terraform apply
  // <planfile>` takes the lock and refuses a plan made against a state that changed since.
  run('plan', ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-lock=false', `-out=${PLAN_FILE}`], [0, 2]);
  return run('show', ['show', '-json', PLAN_FILE]);
}

/**
 * The root outputs of a stack as `terraform output -json` prints them (`{}` when its state is
 * empty). Needs the stack folder initialized (`cdktf deploy`, `npm run plan` or `terraform init`).
 */
export function stackOutputs(stackDir: string, stack: string, options: TerraformOptions = {}): string {
  return runTerraform(stackDir, stack, 'output', ['output', '-no-color', '-json'], options);
}

function runTerraform(
  stackDir: string,
  stack: string,
  step: string,
  args: readonly string[],
  options: TerraformOptions,
  success: readonly number[] = [0],
): string {
  const env = { ...(options.env ?? process.env), TF_IN_AUTOMATION: '1' };
  options.onStep?.(`terraform ${step}`);
  const result = spawnSync('terraform', [`-chdir=${stackDir}`, ...args], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError('terraform not found on PATH: install Terraform 1.11 (in GitHub Actions: hashicorp/setup-terraform)');
    }
    throw new UserError(`could not run terraform: ${result.error.message}`);
  }
  if (result.status === null || !success.includes(result.status)) {
    const output = `${result.stderr}\n${result.stdout}`;
    throw new TerraformFailure(`${stack}: terraform ${step} failed: ${terraformError(output)}`, step, output);
  }
  return result.stdout;
}

/** The first `Error:` line of Terraform's boxed diagnostics, or its last line of output. */
export function terraformError(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/^[│╷╵|]\s?/, '').trim())
    .filter((line) => line !== '');
  const error = lines.find((line) => line.startsWith('Error:'));
  return error ?? lines[lines.length - 1] ?? 'no output (exit code only)';
}
