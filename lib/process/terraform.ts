import { spawn, spawnSync } from 'node:child_process';
import { UserError } from './command-line';
import { readDiagnostics, unboxed } from './terraform-diagnostics';

/**
 * The one way this project runs Terraform: which binary, with which environment, and what a
 * failure says. Asynchronous, so that independent stacks can be planned side by side; the
 * synchronous form exists for `terraform version`, which synthesis asks once.
 */

/** The saved plan, in the stack folder: what `terraform apply` applies after review. */
export const PLAN_FILE = 'plan.tfplan';

/** Terraform's output is buffered whole; beyond this a run is refused instead of exhausting memory. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface TerraformOptions {
  /** Environment of the terraform process: PATH finds `terraform`, ARM_* / OIDC variables sign in. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Told before each step, so a long init is not silent. */
  readonly onStep?: (step: string) => void;
}

/** What one terraform process printed, and how it ended. */
export interface TerraformRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * A terraform step that exited with an error. The message is one line with Terraform's reason;
 * all it printed stays available for callers that recognise particular errors.
 */
export class TerraformFailure extends UserError {
  constructor(
    /** The stack (or folder label) the step ran for. */
    readonly label: string,
    /** `init`, `plan`, `show`, `output`, ... */
    readonly step: string,
    readonly run: TerraformRun,
    /**
     * Whether stdout is the step's data (`show -json`, `output -json`) rather than messages: it holds
     * state and sensitive values in clear (a self-signed certificate's private key), so a step that
     * dies after printing it must not make it its reason.
     */
    readonly stdoutIsData = false,
  ) {
    super(`${label}: terraform ${step} failed: ${terraformError(stdoutIsData ? run.stderr : `${run.stderr}\n${run.stdout}`)}`);
    this.name = 'TerraformFailure';
  }

  /** What the step printed as messages, errors first; never its data. */
  get output(): string {
    return this.stdoutIsData ? this.run.stderr : `${this.run.stderr}\n${this.run.stdout}`;
  }
}

/** The Terraform binary cdktf runs: `$TERRAFORM_BINARY_NAME`, else `terraform` on PATH. */
export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.TERRAFORM_BINARY_NAME || 'terraform';
}

export interface StepOptions extends TerraformOptions {
  /** The folder terraform runs in (`-chdir`). */
  readonly stackDir: string;
  /** Names the stack in messages. */
  readonly label: string;
  /** Exit codes that are success. @default [0] */
  readonly success?: readonly number[];
}

/**
 * Runs `terraform -chdir=<stackDir> <args>`; `args[0]` is the step named in progress and messages.
 * @throws TerraformFailure when it exits with a code not in `success`; UserError when terraform cannot be started
 */
export function runTerraform(args: readonly string[], options: StepOptions): Promise<TerraformRun> {
  const step = args[0];
  const env = processEnv(options.env);
  const binary = terraformBinary(env);
  options.onStep?.(`terraform ${step}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, [`-chdir=${options.stackDir}`, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let tooLong = false;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_OUTPUT_BYTES) {
        tooLong = true;
        child.kill();
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error) => reject(notStarted(binary, error)));
    child.on('close', (code, signal) => {
      if (tooLong) return reject(new UserError(`${options.label}: terraform ${step} printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MB`));
      const run = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode: code ?? -1 };
      if (code === null || !(options.success ?? [0]).includes(code)) {
        const failed = signal ? { ...run, stderr: `${run.stderr}\nstopped by ${signal}` } : run;
        return reject(new TerraformFailure(options.label, step, failed, args.includes('-json')));
      }
      resolvePromise(run);
    });
  });
}

/**
 * Runs a terraform command that needs no stack folder and finishes quickly (`version -json`),
 * synchronously, with `binary` (as {@link terraformBinary} names it). Any exit code is returned.
 * @throws UserError when the binary cannot be started
 */
export function runTerraformSync(args: readonly string[], options: { readonly binary: string; readonly timeoutMs: number }): TerraformRun {
  const { binary, timeoutMs } = options;
  const result = spawnSync(binary, args, { encoding: 'utf8', env: processEnv(), timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw notStarted(binary, result.error);
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
}

/** Terraform in automation: no prompts aimed at people, no call to HashiCorp's update check. */
function processEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
}

/** The binary could not be started at all: not one stack's problem, so the message names no stack. */
export class TerraformNotFoundError extends UserError {
  constructor(readonly binary: string) {
    super(
      binary === 'terraform'
        ? 'terraform not found on PATH: install Terraform 1.11 (in GitHub Actions: hashicorp/setup-terraform)'
        : `"${binary}" (TERRAFORM_BINARY_NAME) not found${binary.includes('/') ? '' : ' on PATH'}: install Terraform 1.11 or correct TERRAFORM_BINARY_NAME`,
    );
    this.name = 'TerraformNotFoundError';
  }
}

function notStarted(binary: string, error: Error): UserError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new TerraformNotFoundError(binary);
  return new UserError(`could not run ${binary}: ${error.message}`);
}

/** The longest reason a failure quotes: Terraform's details can carry whole HTTP responses. */
const MAX_REASON_CHARACTERS = 600;

/**
 * Terraform's first error, with the lines under its summary (the summary alone is often only
 * "Failed to query available provider packages", and the lines say "could not connect to
 * registry.terraform.io"), or its last line of output when it printed no diagnostic.
 */
export function terraformError(output: string): string {
  const error = readDiagnostics(output).find((diagnostic) => diagnostic.severity === 'error');
  if (error) return shortened(`Error: ${error.summary}${error.detail === '' ? '' : `: ${error.detail}`}`);
  const lines = output
    .split('\n')
    .map(unboxed)
    .filter((line) => line !== '');
  return shortened(lines.find((line) => line.startsWith('Error:')) ?? lines[lines.length - 1] ?? 'no output (exit code only)');
}

function shortened(reason: string): string {
  return reason.length > MAX_REASON_CHARACTERS ? `${reason.slice(0, MAX_REASON_CHARACTERS - 1)}…` : reason;
}
