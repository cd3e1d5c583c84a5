import { resolve } from 'node:path';
import {
  formatDate,
  readCertificateBytes,
  readCertificateFile,
  type Certificate,
  type CertificateResult,
  type FileCertificate,
  type SelfSignedCertificate,
} from '../certificates/certificate';
import { describeDaysLeft, expiryOf } from '../certificates/certificate-expiry';
import {
  describe,
  fieldPath,
  isPlainObject,
  readArray,
  readInteger,
  readObject,
  readOneOf,
  readString,
  type Report,
} from '../input/field-reader';

/** A public certificate file, as exported from Windows or VB365 without its private key. */
export interface FileCertificateInput {
  /** Read from a file. */
  readonly source: 'file';
  /**
   * Path of a DER or Base-64 (PEM) `.cer` file inside the repository (environment files, relative to the environments
   * folder) or inside the working directory (the construct, relative to it); links are followed.
   */
  readonly path: string;
}

/** A public certificate given as its bytes, e.g. read from a secret store by the consumer's app. */
export interface ContentCertificateInput {
  /** Given as its bytes. */
  readonly source: 'content';
  /** The certificate as PEM text or DER bytes, without its private key. */
  readonly content: string | Uint8Array;
  /** Names the certificate in messages, which also give its field path. @default "the certificate" */
  readonly label?: string;
}

/**
 * A certificate Terraform creates with the tls provider. Its private key is kept in Terraform state:
 * protect the state backend, and prefer a certificate file for production.
 */
export interface SelfSignedCertificateInput {
  /** Made by Terraform's tls provider. */
  readonly source: 'selfSigned';
  /** Names the key credential and its Terraform resources (`portal_<name>`): a letter, then letters, digits, "-", "_" (at most 32). */
  readonly name: string;
  /** Subject common name (CN). @default the host of the first redirect URI */
  readonly commonName?: string;
  /** Days the certificate is valid, 2 to 3650. @default 730 */
  readonly validityDays?: number;
  /** RSA key size. @default 2048 */
  readonly rsaBits?: 2048 | 3072 | 4096;
  /**
   * Terraform plans a new certificate this many days before expiry, 1 to 365 and below validityDays.
   * @default 14, inside the 30-day expiry warning, so `npm run certs` calls for a rotation first
   */
  readonly renewBeforeDays?: number;
}

/** A certificate whose private key VB365 holds: one key credential of the application each. */
export type CertificateInput = FileCertificateInput | ContentCertificateInput | SelfSignedCertificateInput;

export type CertificateSourceName = CertificateInput['source'];
export const CERTIFICATE_SOURCES = ['file', 'content', 'selfSigned'] as const satisfies readonly CertificateSourceName[];

const FIELDS: Record<CertificateSourceName, readonly string[]> = {
  file: ['source', 'path'],
  content: ['source', 'content', 'label'],
  selfSigned: ['source', 'name', 'commonName', 'validityDays', 'rsaBits', 'renewBeforeDays'],
};

/** Key sizes the tls provider makes and Entra accepts (it rejects RSA keys under 2048 bits). */
const SELF_SIGNED_RSA_BITS = [2048, 3072, 4096] as const;
/**
 * renewBeforeDays stays inside the default expiry warning window: the report asks for a planned
 * rotation before Terraform's automatic renewal, which replaces the certificate VB365 holds, comes due.
 */
export const SELF_SIGNED_DEFAULTS = { rsaBits: 2048, validityDays: 730, renewBeforeDays: 14 } as const;
const VALIDITY_DAYS = { min: 2, max: 3650 };
const RENEW_BEFORE_DAYS = { min: 1, max: 365 };
/**
 * Starts with a letter so it is a valid part of a Terraform address; at most 32 characters so it can
 * never equal a file certificate's 40-character thumbprint, which names the other key credentials.
 */
const SELF_SIGNED_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
/** X.509's upper bound for a common name (RFC 5280, ub-common-name). */
const MAX_COMMON_NAME = 64;

export interface CertificatesContext {
  /** Absolute folder a relative certificate path starts from. */
  readonly baseDir: string;
  /** That folder as messages name it ("environments/"). */
  readonly baseDirLabel: string;
  /** The folder certificate files must lie in once links are followed. @default anywhere */
  readonly within?: string;
  /** What a file outside `within` is told, after "is outside": that folder, and where to keep certificates. */
  readonly outside?: string;
  /** The time certificates must still be valid at. */
  readonly now: Date;
  /** Keep expired certificates instead of rejecting them, for reports that must list them. */
  readonly allowExpired: boolean;
  /** The host of the first redirect URI; undefined when the redirect URIs are invalid (reported there) or it is a reference. */
  readonly defaultCommonName: string | undefined;
  /** Who else reads the app's Terraform state, for the warning about self-signed keys. @default any job that plans the app */
  readonly stateReaders?: string;
  /** What a self-signed certificate without `commonName` is told when there is no default to give it. @default nothing: the reason was reported */
  readonly noDefaultCommonName?: string;
  /** Certificates expiring within this many days get a warning. */
  readonly expiryWarningDays: number;
  /** The sources accepted: environment files name certificates by path, never by content. */
  readonly sources: readonly CertificateSourceName[];
}

/** Who reads the state of an app we know nothing of. */
const STATE_READERS = 'any CI job that plans with read access to it, such as one that plans the code of a pull request';

/**
 * Reads a `certificates` list: public certificates (a file or its content) and certificates for
 * Terraform to create. Reports what is wrong with each entry, and warns about public certificates
 * close to expiry and about self-signed ones, whose private key lives in Terraform state.
 */
export function readCertificates(
  value: unknown,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate[] | undefined {
  const list = readArray(value, path, report);
  if (!list) return undefined;
  if (list.length === 0) {
    report(path, 'must list at least one certificate: VB365 signs in to Entra with its private key');
    return undefined;
  }
  const certificates: Certificate[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const at = fieldPath(path, index);
    const certificate = readCertificate(entry, at, context, report, warn);
    if (!certificate) return;
    const key = certificate.source === 'file' ? `thumbprint ${certificate.thumbprint}` : `name "${certificate.name}"`;
    const first = seen.get(key);
    if (first !== undefined) {
      const what = certificate.source === 'file' ? `the same certificate (${key})` : `a second certificate with ${key}`;
      report(at, `is ${what} as ${fieldPath(path, first)}; list each certificate once`);
      return;
    }
    seen.set(key, index);
    certificates.push(certificate);
  });
  if (certificates.length !== list.length) return undefined;
  if (certificates.every((c) => c.source === 'file' && c.notYetValid)) {
    warn('certificates', 'no certificate is valid now: VB365 cannot sign in to Entra until the first one becomes valid; add one that is valid now');
  }
  return certificates;
}

function readCertificate(value: unknown, path: string, context: CertificatesContext, report: Report, warn: Report): Certificate | undefined {
  if (!isPlainObject(value)) {
    report(path, `must be an object such as { source: "file", path: "certs/portal.cer" }; got ${describe(value)}`);
    return undefined;
  }
  const kind = readOneOf(value.source, fieldPath(path, 'source'), context.sources, report);
  if (kind === undefined) return undefined;
  readObject(value, path, FIELDS[kind], report);
  if (kind === 'file') return readFileCertificate(value, path, context, report, warn);
  if (kind === 'content') return readContentCertificate(value, path, context, report, warn);
  return readSelfSignedCertificate(value, path, context, report, warn);
}

function readFileCertificate(
  value: Record<string, unknown>,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate | undefined {
  const file = readString(value.path, fieldPath(path, 'path'), report);
  if (!file) return undefined;
  const result = readCertificateFile(resolve(context.baseDir, file), file, {
    within: context.within,
    outside: context.outside,
    relativeTo: context.baseDirLabel,
  });
  return checkPublicCertificate(result, file, fieldPath(path, 'path'), context, report, warn);
}

function readContentCertificate(
  value: Record<string, unknown>,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate | undefined {
  const label = value.label === undefined ? 'the certificate' : readLabel(value.label, fieldPath(path, 'label'), report);
  const content = value.content;
  const at = fieldPath(path, 'content');
  if (!(typeof content === 'string' || content instanceof Uint8Array) || content.length === 0) {
    report(at, `must be the certificate as PEM text or DER bytes (a Buffer or Uint8Array); got ${describe(content)}`);
    return undefined;
  }
  if (label === undefined) return undefined;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'latin1') : Buffer.from(content);
  return checkPublicCertificate(readCertificateBytes(bytes, label), label, at, context, report, warn);
}

/** A name for messages and cdktf's annotations, which go to a terminal: no control characters. */
function readLabel(value: unknown, path: string, report: Report): string | undefined {
  const label = readString(value, path, report, { maxLength: 200 });
  if (label !== undefined && /[\u0000-\u001f\u007f-\u009f]/.test(label)) {
    report(path, `must not contain control characters (line breaks, escape sequences); got ${JSON.stringify(label)}`);
    return undefined;
  }
  return label;
}

/** Rejects an unreadable or expired public certificate and warns about one that expires soon. */
function checkPublicCertificate(
  result: CertificateResult,
  label: string,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): FileCertificate | undefined {
  if ('problem' in result) {
    report(path, result.problem);
    return undefined;
  }
  const certificate = result.certificate;
  const expiry = expiryOf(certificate.notAfter, context.now, context.expiryWarningDays);
  const named = `${label} (thumbprint ${certificate.thumbprint})`;
  if (expiry.status === 'expired' && !context.allowExpired) {
    report(path, `${named} expired on ${formatDate(certificate.notAfter)}; give a certificate that is still valid`);
    return undefined;
  }
  if (certificate.notBefore.getTime() > context.now.getTime()) {
    warn(
      path,
      `${named} is not valid until ${formatDate(certificate.notBefore)}: Entra gets it as a key credential starting then, and VB365 cannot sign in with it before, so the VB365 command names a certificate that is valid now`,
    );
    return { ...certificate, notYetValid: true };
  }
  if (expiry.status === 'expiring') {
    warn(
      path,
      `${named} expires ${describeDaysLeft(expiry.daysLeft)}, on ${formatDate(certificate.notAfter)} (warning window ${context.expiryWarningDays} days): add the next certificate and rotate`,
    );
  }
  return certificate;
}

function readSelfSignedCertificate(
  value: Record<string, unknown>,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): SelfSignedCertificate | undefined {
  const at = (field: string) => fieldPath(path, field);
  const optional = <T>(field: string, fallback: T, read: (value: unknown) => T | undefined): T | undefined =>
    value[field] === undefined ? fallback : read(value[field]);

  const name = readSelfSignedName(value.name, at('name'), report);
  if (value.commonName === undefined && context.defaultCommonName === undefined && context.noDefaultCommonName) {
    report(at('commonName'), context.noDefaultCommonName);
  }
  const commonName = optional('commonName', context.defaultCommonName, (v) =>
    readString(v, at('commonName'), report, { maxLength: MAX_COMMON_NAME }),
  );
  const rsaBits = optional<number>('rsaBits', SELF_SIGNED_DEFAULTS.rsaBits, (v) =>
    readOneOf(v, at('rsaBits'), SELF_SIGNED_RSA_BITS, report),
  );
  const validityDays = optional<number>('validityDays', SELF_SIGNED_DEFAULTS.validityDays, (v) =>
    readInteger(v, at('validityDays'), report, VALIDITY_DAYS),
  );
  const renewBeforeDays = optional<number>('renewBeforeDays', SELF_SIGNED_DEFAULTS.renewBeforeDays, (v) =>
    readInteger(v, at('renewBeforeDays'), report, RENEW_BEFORE_DAYS),
  );
  if (!name || !commonName || !rsaBits || !validityDays || !renewBeforeDays) return undefined;
  if (renewBeforeDays >= validityDays) {
    const defaulted = value.renewBeforeDays === undefined;
    report(
      defaulted ? at('validityDays') : at('renewBeforeDays'),
      `renewBeforeDays (${renewBeforeDays}${defaulted ? ', the default' : ''}) must be below validityDays (${validityDays}): Terraform plans a new certificate that many days before the current one expires`,
    );
    return undefined;
  }

  warn(
    path,
    `self-signed "${name}": its private key is kept in Terraform state (tls_private_key), so whoever can read the state holds it and can sign in as the Restore Portal, and that includes ${context.stateReaders ?? STATE_READERS}. For production use source "file" (its private key never leaves the VB365 server), or keep ${context.stateReaders ? 'the plan identity' : 'identities that plan'} away from this state`,
  );
  return {
    source: 'selfSigned',
    name,
    label: `self-signed "${name}"`,
    commonName,
    subject: `CN=${commonName}`,
    rsaBits,
    validityDays,
    renewBeforeDays,
  };
}

function readSelfSignedName(value: unknown, path: string, report: Report): string | undefined {
  const name = readString(value, path, report);
  if (name === undefined) return undefined;
  if (!SELF_SIGNED_NAME.test(name)) {
    report(path, `must start with a letter and use only letters, digits, "-" and "_" (at most 32 characters); got ${JSON.stringify(name)}`);
    return undefined;
  }
  return name;
}
