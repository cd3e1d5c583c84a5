import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readUserFile, UserError } from './command-line';
import { parseJson } from './json-text';
import { isPlainObject } from '../environment/field-reader';

/**
 * Terraform outputs of a deployed stack: where the values of self-signed certificates are, since
 * they exist only in Terraform state. Read from `terraform output -json` or from a saved copy of it.
 */

/** Output values by output name. */
export type TerraformOutputs = ReadonlyMap<string, unknown>;

/** The outputs each self-signed certificate gets in its environment's stack. */
export function selfSignedOutputNames(name: string) {
  return {
    pem: `certificate_${name}_pem`,
    thumbprint: `certificate_${name}_thumbprint`,
    notAfter: `certificate_${name}_not_after`,
    privateKeyPem: `certificate_${name}_private_key_pem`,
  } as const;
}

/**
 * Reads what `terraform output -json` prints (`{ "<name>": { "value": ..., "sensitive": ..., "type": ... } }`),
 * or says why `label` is not that.
 */
export function parseOutputsJson(text: string, label: string): { outputs: TerraformOutputs } | { problem: string } {
  const parsed = parseJson(text);
  if ('problem' in parsed) return { problem: `${label} ${parsed.problem}; expected what \`terraform output -json\` prints` };
  const json = parsed.value;
  if (!isPlainObject(json)) return { problem: `${label} is not a JSON object; expected what \`terraform output -json\` prints` };
  const outputs = new Map<string, unknown>();
  for (const [name, entry] of Object.entries(json)) {
    if (!isPlainObject(entry) || !('value' in entry)) {
      return { problem: `${label}: output "${name}" has no "value"; expected what \`terraform output -json\` prints` };
    }
    outputs.set(name, entry.value);
  }
  return { outputs };
}

/**
 * A saved `terraform output -json` file the user named, read relative to `cwd`.
 * @throws UserError naming the file as given when it cannot be read or is not that JSON
 */
export function readOutputsFile(file: string, cwd: string): TerraformOutputs {
  const read = parseOutputsJson(readUserFile(file, cwd), file);
  if ('problem' in read) throw new UserError(read.problem);
  return read.outputs;
}

/**
 * Runs `terraform output -json` in a synthesized stack's folder. Needs the stack synthesized and
 * `terraform init` done there, as after a deploy or a plan; says what is missing otherwise.
 */
export function terraformOutputs(stackDir: string, label: string): { outputs: TerraformOutputs } | { problem: string } {
  if (!existsSync(stackDir)) return { problem: `${label} does not exist: run \`npm run synth\` first` };
  let stdout: string;
  try {
    stdout = execFileSync('terraform', [`-chdir=${stackDir}`, 'output', '-json', '-no-color'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TF_IN_AUTOMATION: '1' },
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') return { problem: 'terraform is not installed or not on PATH' };
    return { problem: `terraform output failed in ${label}: ${terraformError(failure.stderr ?? '')}` };
  }
  return parseOutputsJson(stdout, `terraform output in ${label}`);
}

/** The text after "Error:" in terraform's boxed error output, or its first line. */
function terraformError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^[\s│╷╵]+/, '').trim()).filter(Boolean);
  const error = lines.find((l) => l.startsWith('Error:'));
  return (error ?? lines[0] ?? 'no message').replace(/^Error:\s*/, '');
}

/** An output's value when it is a non-empty string. */
export function outputString(outputs: TerraformOutputs, name: string): string | undefined {
  const value = outputs.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
