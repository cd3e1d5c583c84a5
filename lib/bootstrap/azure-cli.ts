import { spawn } from 'node:child_process';
import { UserError } from '../process/command-line';
import { escapeControlCharacters } from '../process/problem';

/** Runs the Azure CLI: `run(args)` resolves to what it printed on stdout. */
export interface AzureCli {
  run(args: readonly string[]): Promise<string>;
}

/** More than any answer of the commands bootstrap runs; beyond it the run is refused. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * The Azure CLI on PATH, started without a shell, so no argument is ever read by one. What it says
 * on stderr (warnings, `az login`'s sign-in instructions) is passed on with control characters
 * escaped: it can quote names other administrators chose.
 */
export function azureCli(options: { readonly env?: NodeJS.ProcessEnv; readonly stderr?: { write(text: string): unknown } } = {}): AzureCli {
  const stderr = options.stderr ?? process.stderr;
  return {
    run: (args) =>
      new Promise((resolve, reject) => {
        const child = spawn('az', [...args], {
          env: { ...(options.env ?? process.env), AZURE_CORE_NO_COLOR: 'true', AZURE_CORE_COLLECT_TELEMETRY: 'false' },
          // az login may ask in the terminal.
          stdio: ['inherit', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        let bytes = 0;
        let errors = '';
        child.stdout.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_OUTPUT_BYTES) child.kill();
          else out.push(chunk);
        });
        child.stderr.on('data', (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          errors += text;
          stderr.write(text.split('\n').map((line) => escapeControlCharacters(line)).join('\n'));
        });
        child.on('error', (error) => reject(notStarted(error)));
        child.on('close', (code) => {
          const step = stepOf(args);
          if (bytes > MAX_OUTPUT_BYTES) return reject(new UserError(`${step}: printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MB`));
          if (code !== 0) return reject(new AzFailure(step, code, lastLine(errors)));
          resolve(Buffer.concat(out).toString('utf8'));
        });
      }),
  };
}

/** An az command that ran and failed: `reason` is what it said. */
export class AzFailure extends UserError {
  constructor(
    readonly step: string,
    readonly exitCode: number | null,
    readonly reason: string,
  ) {
    super(`${step} failed (exit code ${exitCode ?? 'none'}): ${reason}`);
    this.name = 'AzFailure';
  }
}

/** The command as a message names it: `az` and its words up to the first option (`az account show`). */
function stepOf(args: readonly string[]): string {
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  return `az ${(firstOption === -1 ? args : args.slice(0, firstOption)).slice(0, 5).join(' ')}`;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.find((line) => /^(ERROR|error)\b/.test(line)) ?? lines[lines.length - 1] ?? 'no error output';
}

function notStarted(error: Error): UserError {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new UserError('az not found on PATH: install the Azure CLI, or run the printed script instead (npm run bootstrap -- <environment>... > bootstrap.sh)');
  }
  return new UserError(`could not run az: ${error.message}`);
}

/** The JSON an `--output json` command printed. */
export function azJson(text: string, args: readonly string[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${stepOf(args)}: printed no JSON`);
  }
}
