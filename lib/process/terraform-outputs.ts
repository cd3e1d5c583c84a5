import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readUserFile, UserError } from './command-line';
import { parseJson } from '../input/json-text';
import { describe, isGuid, isPlainObject, readGuid } from '../input/field-reader';
import { runTerraform, TerraformFailure, type TerraformOptions } from './terraform';
import { readDiagnostics } from './terraform-diagnostics';

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

/** Names of the self-signed certificates whose private key the outputs hold, read back through `selfSignedOutputNames`. */
export function selfSignedCertificateNames(outputs: TerraformOutputs): string[] {
  const [prefix, suffix] = selfSignedOutputNames('\0').privateKeyPem.split('\0');
  return [...outputs.keys()]
    .filter((output) => output.length > prefix.length + suffix.length && output.startsWith(prefix) && output.endsWith(suffix))
    .map((output) => output.slice(prefix.length, output.length - suffix.length));
}

const EXPECTED = 'expected what `terraform output -json` prints: { "<output>": { "value": ... } }';

/**
 * Reads what `terraform output -json` prints (`{ "<name>": { "value": ..., "sensitive": ..., "type": ... } }`).
 * `label` names the file or the stack in messages.
 * @throws UserError saying why the text is not that
 */
export function readOutputsJson(text: string, label: string): TerraformOutputs {
  const parsed = parseJson(text);
  if ('problem' in parsed) throw new UserError(`${label}: ${parsed.problem}; ${EXPECTED}`);
  const json = parsed.value;
  if (!isPlainObject(json)) throw new UserError(`${label}: is not a JSON object; ${EXPECTED}`);
  const outputs = new Map<string, unknown>();
  for (const [name, entry] of Object.entries(json)) {
    if (!isPlainObject(entry) || !('value' in entry)) throw new UserError(`${label}: output "${name}" has no "value"; ${EXPECTED}`);
    outputs.set(name, entry.value);
  }
  return outputs;
}

/**
 * A saved `terraform output -json` file the user named, read relative to `cwd`.
 * @throws UserError naming the file as given when it cannot be read or is not that JSON
 */
export function readOutputsFile(file: string, cwd: string): TerraformOutputs {
  return readOutputsJson(readUserFile(file, cwd), file);
}

/** The output naming the environment a stack was made from: saved outputs say whose they are. */
export const ENVIRONMENT_OUTPUT = 'environment';

/** What saved outputs are checked against: the environment a command is about. */
export interface OutputsOwner {
  readonly name: string;
  readonly file: string;
  readonly tenantId: string;
  /** Its redirect URIs, which outputs saved before the `environment` output existed list too. */
  readonly redirectUris?: readonly string[];
  /** The adopted registration's client ID, when it adopts one. */
  readonly adoption?: { readonly clientId: string };
}

/**
 * Outputs saved from another environment's stack are refused: a file of the wrong one would report, or
 * export, another registration's certificates and client ID. Two environments can share a tenant, so
 * the tenant is not enough: every environment stack has an `environment` output naming it. Outputs saved
 * before it existed are refused when their client ID is not the adopted one, or when they list redirect
 * URIs none of which the environment has.
 * @throws UserError naming the file (`label`), what differs and the environment file
 */
export function checkOutputsBelong(outputs: TerraformOutputs, label: string, environment: OutputsOwner): void {
  const use = `use the outputs of ${environment.name} (terraform -chdir=cdktf.out/stacks/${environment.name} output -json)`;
  const tenantId = outputs.get('tenant_id');
  if (typeof tenantId === 'string' && tenantId.toLowerCase() !== environment.tenantId.toLowerCase()) {
    throw new UserError(`${label}: belongs to tenant ${tenantId}, but ${environment.file} has tenantId ${environment.tenantId}; ${use}`);
  }
  const owner = outputs.get(ENVIRONMENT_OUTPUT);
  if (owner !== undefined) {
    // A file is anyone's to write: what it says is shown only when it reads as a stack name.
    const shown = typeof owner === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(owner) ? owner : describe(owner);
    if (owner !== environment.name) throw new UserError(`${label}: belongs to environment ${shown} (its ${ENVIRONMENT_OUTPUT} output), not ${environment.name}; ${use}`);
    return;
  }
  const clientId = outputs.get('application_id');
  if (environment.adoption && isGuid(clientId) && clientId.toLowerCase() !== environment.adoption.clientId.toLowerCase()) {
    throw new UserError(`${label}: belongs to application ${clientId}, but ${environment.file} adopts ${environment.adoption.clientId}; ${use}`);
  }
  const redirectUris = outputs.get('redirect_uris');
  if (environment.redirectUris && Array.isArray(redirectUris) && redirectUris.length > 0 && !redirectUris.some((uri) => environment.redirectUris!.includes(uri))) {
    throw new UserError(`${label}: lists none of the redirect URIs of ${environment.file} (it has ${redirectUris.length}), so it was saved from another environment; ${use}`);
  }
}

/**
 * Runs `terraform output -json` in a synthesized stack's folder. Needs `terraform init` done there,
 * as after a deploy or a plan; `stack` names it in messages.
 * @throws UserError when the folder is not synthesized; TerraformFailure when terraform fails
 */
export async function stackOutputs(stackDir: string, stack: string, options: TerraformOptions = {}): Promise<TerraformOutputs> {
  if (!existsSync(stackDir)) throw new UserError(`${stack}: not synthesized: run \`npm run synth\` first`);
  let run;
  try {
    run = await runTerraform(['output', '-no-color', '-json'], { ...options, stackDir, label: stack });
  } catch (error) {
    // Right after synth, before any plan: Terraform's page on backend migration is no help there.
    if (error instanceof TerraformFailure && readDiagnostics(error.output).some((d) => d.severity === 'error' && /^Backend initialization required\b/.test(d.summary))) {
      throw new UserError(`${stack}: its stack folder is not initialized (npm run plan runs terraform init there)`);
    }
    throw error;
  }
  return readOutputsJson(run.stdout, `${stack}: terraform output -json`);
}

/** An output's value when it is a non-empty string. */
export function outputString(outputs: TerraformOutputs, name: string): string | undefined {
  const value = outputs.get(name);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The output of an environment's stack that holds the application (client) ID. */
export const APPLICATION_ID_OUTPUT = 'application_id';

/** An environment's stack outputs, or why they are not at hand. */
export type EnvironmentOutputs =
  | { readonly outputs: TerraformOutputs; readonly source: string; readonly unknownBecause?: undefined }
  | { readonly outputs?: undefined; readonly source?: undefined; readonly unknownBecause: string };

/**
 * The Terraform outputs of an environment's stack: from a saved `terraform output -json` file when
 * one is given (the user named it: it must be readable and of the environment's tenant), else from
 * `terraform output -json` in the stack's folder, which may not be synthesized, initialized or
 * deployed yet: then why, and what to do.
 * @throws UserError when the given file is unusable
 */
export async function environmentOutputs(
  env: OutputsOwner,
  options: TerraformOptions & { readonly stackDir: string; readonly outputsFile?: string; readonly cwd?: string },
): Promise<EnvironmentOutputs> {
  if (options.outputsFile !== undefined) {
    const outputs = readOutputsFile(options.outputsFile, options.cwd ?? process.cwd());
    checkOutputsBelong(outputs, options.outputsFile, env);
    return { outputs, source: options.outputsFile };
  }
  if (!existsSync(join(options.stackDir, 'cdk.tf.json'))) return { unknownBecause: 'not synthesized: npm run synth, or give --outputs' };
  let outputs: TerraformOutputs;
  try {
    outputs = await stackOutputs(options.stackDir, env.name, options);
  } catch (error) {
    if (error instanceof UserError) return { unknownBecause: `${error.message}; or give --outputs` };
    throw error;
  }
  // Outputs of another tenant's registration are a mistake in the project, not a stack not deployed yet.
  checkOutputsBelong(outputs, `${env.name}: terraform output`, env);
  return { outputs, source: `terraform output of ${env.name}` };
}

/**
 * The application (client) ID the outputs hold, checked to be a GUID; undefined when they hold none
 * (the state has no application yet).
 * @throws UserError naming `label` when the output is there but no GUID
 */
export function deployedClientId(outputs: TerraformOutputs, label: string): string | undefined {
  const clientId = outputs.get(APPLICATION_ID_OUTPUT);
  if (clientId === undefined) return undefined;
  return readGuid(clientId, APPLICATION_ID_OUTPUT, (path, message) => {
    throw new UserError(`${label}: ${path}: ${message}`);
  }, 'an application ID, a GUID');
}
