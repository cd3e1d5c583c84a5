import { createPrivateKey, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { certificateFactsFromPem, formatDate } from './certificate';
import { UserError } from '../process/command-line';
import { buildPfx } from './pfx';
import { describeCode, writeFileAtomically } from '../process/atomic-file';
import { stackDirectory } from '../process/stack-directory';
import {
  outputString,
  checkOutputsBelong,
  readOutputsFile,
  selfSignedCertificateNames,
  selfSignedOutputNames,
  stackOutputs,
  type OutputsOwner,
  type TerraformOutputs,
} from '../process/terraform-outputs';

export interface PfxExportOptions {
  /** The project root: relative paths are resolved from it and shown relative to it. */
  readonly projectRoot: string;
  /** The environment whose stack's outputs hold the certificate. */
  readonly environment: string;
  /** The self-signed certificate's name. @default the environment's only self-signed certificate */
  readonly certificate?: string;
  /** A saved `terraform output -json` file. @default run `terraform output -json` in the stack */
  readonly outputsFile?: string;
  /**
   * The environment: its self-signed certificates are the ones that may be exported, and saved outputs
   * must be its own. @default not checked
   */
  readonly environmentFile?: PfxEnvironment;
  /** Export a certificate that has expired. @default false: refuse it, VB365 cannot sign in with it */
  readonly allowExpired?: boolean;
  /** The time expiry is judged at. @default now */
  readonly now?: Date;
  /** The PFX file to write, `.pfx` or `.p12`. */
  readonly out: string;
  /** Replace `out` if it exists. @default false: refuse */
  readonly force?: boolean;
  readonly password: string;
}

/** What export-pfx reads of the environment file. */
export interface PfxEnvironment extends OutputsOwner {
  readonly certificates: readonly { readonly source: string; readonly name?: string }[];
}

export interface PfxExportResult {
  /** The file written, absolute. */
  readonly file: string;
  /** The self-signed certificate's name. */
  readonly certificate: string;
  readonly thumbprint: string;
  readonly notAfter: string;
}

const PFX_EXTENSIONS = ['.pfx', '.p12'];

/**
 * Checks, before anyone types a password, that `out` can be written: a `.pfx`/`.p12` name, in an
 * existing folder, not inside a git working tree unless git ignores it there, and not an existing
 * file unless `force`.
 */
export function checkPfxDestination(out: string, force: boolean, projectRoot: string): void {
  const file = resolve(projectRoot, out);
  if (!PFX_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new UserError(`--out ${out}: name the file .pfx or .p12 (the repository's .gitignore keeps those out of git)`);
  }
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) {
    throw new UserError(`--out ${out}: folder ${relative(projectRoot, dirname(file)) || '.'} does not exist`);
  }
  if (gitWouldTrack(file)) {
    throw new UserError(
      `--out ${out}: is inside a git repository and not ignored there, so the private key could be committed; write it outside the repository or to a path its .gitignore covers (*.pfx, *.p12)`,
    );
  }
  if (existsSync(file) && !force) throw new UserError(`--out ${out}: the file exists; refusing to overwrite it (pass --force to replace it)`);
}

/**
 * Whether `file` lies in a git working tree that does not ignore it. Asked of git itself, from the
 * file's own folder, so every .gitignore, .git/info/exclude and global excludes file counts. Outside
 * any working tree (or without git) there is nothing to commit it to.
 */
function gitWouldTrack(file: string): boolean {
  const result = spawnSync('git', ['check-ignore', '--quiet', '--', basename(file)], {
    cwd: realpathSync(dirname(file)),
    stdio: 'ignore',
  });
  // 0: ignored; 1: not ignored, or already tracked; 128 (or no git): not in a working tree.
  return result.status === 1;
}

/** A self-signed certificate and its private key, read from Terraform outputs and checked to belong together. */
export interface SelfSignedKeyPair {
  /** The certificate's name in the environment. */
  readonly name: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly thumbprint: string;
  readonly notAfter: Date;
}

/** Where the key pair comes from: no password or destination needed yet. */
export type KeyPairSource = Pick<PfxExportOptions, 'projectRoot' | 'environment' | 'certificate' | 'outputsFile' | 'environmentFile' | 'allowExpired' | 'now'>;

/**
 * Reads a self-signed certificate's Terraform outputs (its PEM and the sensitive private key) and
 * checks the key belongs to the certificate, before anyone is asked for a password.
 * @throws UserError naming the outputs file or stack and the output at fault
 */
export async function readSelfSignedKeyPair(source: KeyPairSource): Promise<SelfSignedKeyPair> {
  // Asked of the environment file first: terraform cannot help an environment with nothing to export.
  const listed = selfSignedNamesOf(source);
  const { outputs, label } = await outputsFor(source);
  const name = certificateName(outputs, label, source, listed);
  const names = selfSignedOutputNames(name);
  const certificatePem = requiredOutput(outputs, names.pem, label);
  const privateKeyPem = requiredOutput(outputs, names.privateKeyPem, label);

  const read = certificateFactsFromPem(certificatePem);
  if ('problem' in read) throw new UserError(`${label}: output ${names.pem} ${read.problem}`);
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new UserError(`${label}: output ${names.privateKeyPem} is not a PEM private key`);
  }
  if (!new X509Certificate(certificatePem).checkPrivateKey(key)) {
    throw new UserError(`${label}: output ${names.privateKeyPem} is not the key of certificate ${read.facts.thumbprint} (${names.pem})`);
  }
  const { thumbprint, notAfter } = read.facts;
  if (notAfter.getTime() <= (source.now ?? new Date()).getTime() && !source.allowExpired) {
    throw new UserError(
      `self-signed certificate "${name}" (${thumbprint}) expired on ${formatDate(notAfter)}, and VB365 cannot sign in with it: plan and apply ${source.environment}, and Terraform makes a new one (it renews renewBeforeDays before expiry); pass --allow-expired to export it all the same`,
    );
  }
  return { name, certificatePem, privateKeyPem, thumbprint, notAfter };
}

/**
 * The self-signed certificates the environment lists, checked against `--certificate`; undefined when
 * no environment is given.
 * @throws UserError naming the environment file when it lists none, or not the one asked for
 */
function selfSignedNamesOf(source: KeyPairSource): string[] | undefined {
  const env = source.environmentFile;
  if (!env) return undefined;
  const names = env.certificates.flatMap((c) => (c.source === 'selfSigned' && c.name !== undefined ? [c.name] : []));
  if (names.length === 0) {
    throw new UserError(
      `${env.file} lists no self-signed certificate ({ source: "selfSigned", name }): export-pfx builds the PFX of a certificate Terraform made. The private key of a certificate file never leaves the VB365 server it came from: export the PFX there (Export-PfxCertificate)`,
    );
  }
  if (source.certificate !== undefined && !names.includes(source.certificate)) {
    throw new UserError(`--certificate ${source.certificate}: ${env.file} has no self-signed certificate of that name; it has ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  return names;
}

/**
 * Writes the PFX VB365 loads from a key pair, password-protected, with mode 0600.
 * @throws UserError when `out` exists and `force` is not set
 */
export function writePfx(pair: SelfSignedKeyPair, options: PfxExportOptions): PfxExportResult {
  const bytes = buildPfx(
    {
      certificatePem: pair.certificatePem,
      privateKeyPem: pair.privateKeyPem,
      friendlyName: `VB365 Restore Portal (${options.environment}, ${pair.name})`,
    },
    options.password,
  );
  const file = resolve(options.projectRoot, options.out);
  let written: boolean;
  try {
    written = writeFileAtomically(file, bytes, { mode: 0o600, overwrite: options.force ?? false });
  } catch (error) {
    // A full disk, a read-only or vanished folder: the writer leaves no part of the file behind.
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new UserError(`--out ${options.out}: cannot be written: ${describeCode(code)}; nothing was written`);
  }
  if (!written) throw new UserError(`--out ${options.out}: the file exists; refusing to overwrite it (pass --force to replace it)`);
  return { file, certificate: pair.name, thumbprint: pair.thumbprint, notAfter: formatDate(pair.notAfter) };
}

/** Checks the destination, reads the key pair and writes the PFX. */
export async function exportPfx(options: PfxExportOptions): Promise<PfxExportResult> {
  checkPfxDestination(options.out, options.force ?? false, options.projectRoot);
  return writePfx(await readSelfSignedKeyPair(options), options);
}

async function outputsFor(options: KeyPairSource): Promise<{ outputs: TerraformOutputs; label: string }> {
  if (options.outputsFile) {
    const outputs = readOutputsFile(options.outputsFile, options.projectRoot);
    if (options.environmentFile) checkOutputsBelong(outputs, options.outputsFile, options.environmentFile);
    return { outputs, label: options.outputsFile };
  }
  try {
    const outputs = await stackOutputs(stackDirectory(options.projectRoot, options.environment), options.environment);
    return { outputs, label: `terraform output of ${options.environment}` };
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${error.message}; or pass --outputs <file> saved from terraform output -json`);
    throw error;
  }
}

/** The certificate asked for, or the only self-signed certificate the outputs hold. */
function certificateName(outputs: TerraformOutputs, label: string, options: KeyPairSource, listed: readonly string[] | undefined): string {
  // A certificate the environment no longer lists (its outputs stay until the next apply) is not offered.
  const available = selfSignedCertificateNames(outputs).filter((name) => listed === undefined || listed.includes(name));
  const wanted = options.certificate ?? (listed?.length === 1 ? listed[0] : undefined);
  if (wanted !== undefined && listed?.includes(wanted) && !available.includes(wanted)) {
    throw new UserError(`${label} has no outputs of self-signed certificate "${wanted}" (${selfSignedOutputNames(wanted).pem}): Terraform makes it when ${options.environment} is applied; apply it, then export`);
  }
  const names = available.map((n) => `"${n}"`).join(', ');
  if (options.certificate !== undefined) {
    if (available.includes(options.certificate)) return options.certificate;
    throw new UserError(
      `${label} has no self-signed certificate "${options.certificate}" (no output ${selfSignedOutputNames(options.certificate).privateKeyPem}); ${available.length > 0 ? `it has ${names}` : 'it has none'}`,
    );
  }
  if (available.length === 1) return available[0];
  if (available.length === 0) {
    throw new UserError(
      `${label} has no self-signed certificate outputs (certificate_<name>_pem and certificate_<name>_private_key_pem): does environment "${options.environment}" list a { source: "selfSigned" } certificate, and has it been applied?`,
    );
  }
  throw new UserError(`${label} has several self-signed certificates (${names}); choose one with --certificate <name>`);
}

function requiredOutput(outputs: TerraformOutputs, name: string, label: string): string {
  const value = outputString(outputs, name);
  if (value === undefined) throw new UserError(`${label} has no output ${name} (a non-empty string)`);
  return value;
}
