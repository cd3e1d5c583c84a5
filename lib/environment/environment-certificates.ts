import { dirname, resolve } from 'node:path';
import { formatDate, readCertificateFile, type Certificate, type SelfSignedCertificate } from '../certificates/certificate';
import { describeDaysLeft, expiryOf } from '../certificates/certificate-expiry';
import type { EnvironmentSource } from './environment';
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
} from './field-reader';

const CERTIFICATE_SOURCES = ['file', 'selfSigned'] as const;
const FILE_FIELDS = ['source', 'path'];
const SELF_SIGNED_FIELDS = ['source', 'name', 'commonName', 'validityDays', 'rsaBits', 'renewBeforeDays'];

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
  readonly source: EnvironmentSource;
  /** The host of the first redirect URI; undefined when the redirect URIs are invalid (reported there). */
  readonly defaultCommonName: string | undefined;
  /** Certificates expiring within this many days get a warning. */
  readonly expiryWarningDays: number;
}

/**
 * Reads the `certificates` list of an environment: public certificate files and certificates for
 * Terraform to create. Reports what is wrong with each entry, and warns about file certificates
 * close to expiry and about self-signed ones, whose private key lives in Terraform state.
 */
export function readCertificates(
  value: unknown,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate[] | undefined {
  const list = readArray(value, 'certificates', report);
  if (!list) return undefined;
  if (list.length === 0) {
    report('certificates', 'must list at least one certificate: VB365 signs in to Entra with its private key');
    return undefined;
  }
  const certificates: Certificate[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const path = fieldPath('certificates', index);
    const certificate = readCertificate(entry, path, context, report, warn);
    if (!certificate) return;
    const key = certificate.source === 'file' ? `thumbprint ${certificate.thumbprint}` : `name "${certificate.name}"`;
    const first = seen.get(key);
    if (first !== undefined) {
      const what = certificate.source === 'file' ? `the same certificate (${key})` : `a second certificate with ${key}`;
      report(path, `is ${what} as certificates[${first}]; list each certificate once`);
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

function readCertificate(
  value: unknown,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate | undefined {
  if (!isPlainObject(value)) {
    report(path, `must be an object such as { source: "file", path: "certs/portal.cer" }; got ${describe(value)}`);
    return undefined;
  }
  const kind = readOneOf(value.source, fieldPath(path, 'source'), CERTIFICATE_SOURCES, report);
  if (kind === 'file') return readFileCertificate(value, path, context, report, warn);
  if (kind === 'selfSigned') return readSelfSignedCertificate(value, path, context, report, warn);
  return undefined;
}

function readFileCertificate(
  value: Record<string, unknown>,
  path: string,
  context: CertificatesContext,
  report: Report,
  warn: Report,
): Certificate | undefined {
  readObject(value, path, FILE_FIELDS, report);
  const file = readString(value.path, fieldPath(path, 'path'), report);
  if (!file) return undefined;
  const { environmentsDir, now, allowExpired } = context.source;
  // The environments folder sits in the repository's root: certificate files must stay inside it.
  const result = readCertificateFile(resolve(environmentsDir, file), file, { within: dirname(environmentsDir) });
  if ('problem' in result) {
    report(fieldPath(path, 'path'), result.problem);
    return undefined;
  }
  const certificate = result.certificate;
  const expiry = expiryOf(certificate.notAfter, now, context.expiryWarningDays);
  const named = `${file} (thumbprint ${certificate.thumbprint})`;
  if (expiry.status === 'expired' && !allowExpired) {
    report(fieldPath(path, 'path'), `${named} expired on ${formatDate(certificate.notAfter)}; give a certificate that is still valid`);
    return undefined;
  }
  if (certificate.notBefore.getTime() > now.getTime()) {
    warn(
      fieldPath(path, 'path'),
      `${named} is not valid until ${formatDate(certificate.notBefore)}: Entra gets it as a key credential starting then, and VB365 cannot sign in with it before, so the VB365 command names a certificate that is valid now`,
    );
    return { ...certificate, notYetValid: true };
  }
  if (expiry.status === 'expiring') {
    warn(
      fieldPath(path, 'path'),
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
  readObject(value, path, SELF_SIGNED_FIELDS, report);
  const at = (field: string) => fieldPath(path, field);
  const optional = <T>(field: string, fallback: T, read: (value: unknown) => T | undefined): T | undefined =>
    value[field] === undefined ? fallback : read(value[field]);

  const name = readSelfSignedName(value.name, at('name'), report);
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
    `self-signed "${name}": its private key is kept in Terraform state (tls_private_key), so whoever can read the state holds it and can sign in as the Restore Portal, and that includes every pull request's plan job, which reads the state with the pull request's own code. For production use source "file" (its private key never leaves the VB365 server), or keep the plan identity away from this state`,
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
