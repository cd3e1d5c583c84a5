import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Entra rejects RSA keys shorter than this for application key credentials. */
export const MIN_RSA_BITS = 2048;

/** What an X.509 certificate says about itself, read from its bytes. */
export interface CertificateFacts {
  /** The certificate alone, PEM with LF line ends: what the key credential carries. */
  readonly pem: string;
  /** SHA-1 thumbprint in upper-case hex, as Windows certificate manager and VB365 show it. */
  readonly thumbprint: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly rsaBits: number;
}

/** A public X.509 certificate read from a file, checked and ready to become a key credential. */
export interface FileCertificate extends CertificateFacts {
  readonly source: 'file';
  /** Where it came from, for people: the path as written in the environment file. */
  readonly label: string;
}

/**
 * A certificate Terraform creates with the tls provider at deploy time. Its PEM, thumbprint and
 * dates exist only in Terraform state, so the model holds what it is made from.
 */
export interface SelfSignedCertificate {
  readonly source: 'selfSigned';
  /** The entry's name: it names the key credential and its Terraform resources (`portal_<name>`). */
  readonly name: string;
  /** For people: `self-signed "<name>"`. */
  readonly label: string;
  readonly commonName: string;
  /** `CN=<commonName>`, as the certificate's subject will read. */
  readonly subject: string;
  readonly rsaBits: number;
  readonly validityDays: number;
  /** Terraform plans a new certificate this many days before the current one expires. */
  readonly renewBeforeDays: number;
}

/** A certificate whose private key signs VB365's sign-ins to Entra: one key credential each. */
export type Certificate = FileCertificate | SelfSignedCertificate;

/** Why a file cannot be used, worded to be shown after the field path. Never quotes the file. */
export type CertificateResult = { readonly certificate: FileCertificate } | { readonly problem: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const PRIVATE_KEY_HINT =
  'contains a private key; refusing to use it. Give the public certificate only (Windows: export "No, do not export the private key" as DER or Base-64 .cer); the private key stays on the VB365 server';

/**
 * Reads a certificate file as VB365 or Windows exports it: DER, or Base-64/PEM with LF or CRLF line
 * ends. Refuses files holding a private key and keys Entra rejects. Expiry is the caller's to judge
 * (see certificate-expiry.ts): synth rejects expired certificates, the expiry report lists them.
 */
export function readCertificateFile(file: string, label: string, relativeTo = 'environments/'): CertificateResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `file not found: ${label} (paths are relative to ${relativeTo})` };
    if (code === 'EISDIR') return { problem: `${label} is a folder, not a certificate file` };
    return { problem: `cannot read ${label} (${code ?? 'unknown error'})` };
  }
  return readCertificateBytes(bytes, label);
}

/** Reads a certificate given as DER bytes or PEM text, with the same checks as a certificate file. */
export function readCertificateBytes(bytes: Buffer, label: string): CertificateResult {
  const parsed = parseCertificateBytes(bytes);
  if ('problem' in parsed) return { problem: `${label} ${parsed.problem}` };
  return checkCertificate(parsed.x509, label);
}

function parseCertificateBytes(bytes: Buffer): { x509: X509Certificate } | { problem: string } {
  const text = bytes.toString('latin1');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length > 0) {
    if (blocks.some((block) => block[1].includes('PRIVATE KEY'))) return { problem: PRIVATE_KEY_HINT };
    const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
    if (certificates.length === 0) {
      return { problem: `holds no certificate (found ${[...new Set(blocks.map((b) => b[1]))].join(', ')})` };
    }
    if (certificates.length > 1) {
      return { problem: `holds ${certificates.length} certificates; give exactly one (the Restore Portal's, not a chain)` };
    }
    return toX509(Buffer.from(certificates[0][2].replace(/\s+/g, ''), 'base64'));
  }
  if (looksLikePrivateKeyOrPfx(bytes)) return { problem: PRIVATE_KEY_HINT };
  return toX509(bytes);
}

/**
 * Certificates parsed in this process, by their DER in base64. The environment loader reads each
 * certificate and `RestorePortalApp` checks it again from its PEM; parsing is most of either check.
 */
const parsed = new Map<string, X509Certificate>();

function toX509(der: Buffer): { x509: X509Certificate } | { problem: string } {
  const key = der.toString('base64');
  const known = parsed.get(key);
  if (known) return { x509: known };
  try {
    const x509 = new X509Certificate(der);
    parsed.set(key, x509);
    return { x509 };
  } catch {
    return { problem: 'is not an X.509 certificate (expected DER or Base-64 encoded X.509 .cer, as Windows exports it)' };
  }
}

/** DER private keys (PKCS#1, PKCS#8) and PKCS#12 containers (PFX: SEQUENCE { INTEGER 3, ... }). */
function looksLikePrivateKeyOrPfx(der: Buffer): boolean {
  if (isPkcs12(der)) return true;
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // not this kind of key
    }
  }
  return false;
}

function isPkcs12(der: Buffer): boolean {
  if (der[0] !== 0x30) return false;
  let offset = 2;
  if (der[1] & 0x80) offset = 2 + (der[1] & 0x7f);
  return der[offset] === 0x02 && der[offset + 1] === 0x01 && der[offset + 2] === 0x03 && der[offset + 3] === 0x30;
}

function checkCertificate(x509: X509Certificate, label: string): CertificateResult {
  const key = x509.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return { problem: `${label} has an ${key.asymmetricKeyType?.toUpperCase() ?? 'unknown'} key; the Restore Portal's certificate must have an RSA key of at least ${MIN_RSA_BITS} bits` };
  }
  const facts = certificateFacts(x509);
  if (facts.rsaBits < MIN_RSA_BITS) {
    return { problem: `${label} has a ${facts.rsaBits}-bit RSA key; Entra requires at least ${MIN_RSA_BITS} bits` };
  }
  return { certificate: { source: 'file', label, ...facts } };
}

/**
 * Reads one PEM certificate that Terraform produced (a self-signed certificate's output), or says
 * why it is not one. Worded to follow the name of where the PEM came from.
 */
export function certificateFactsFromPem(pem: string): { readonly facts: CertificateFacts } | { readonly problem: string } {
  const parsed = parseCertificateBytes(Buffer.from(pem, 'latin1'));
  return 'problem' in parsed ? parsed : { facts: certificateFacts(parsed.x509) };
}

function certificateFacts(x509: X509Certificate): CertificateFacts {
  return {
    pem: x509.toString().replace(/\r\n/g, '\n'),
    thumbprint: x509.fingerprint.replace(/:/g, '').toUpperCase(),
    subject: x509.subject.replace(/\n/g, ', '),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    rsaBits: x509.publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
  };
}

/** RFC 3339 in UTC without milliseconds, as Entra and the azuread provider write dates. */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
