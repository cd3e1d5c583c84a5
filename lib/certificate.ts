import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Entra rejects RSA keys shorter than this for application key credentials. */
export const MIN_RSA_BITS = 2048;

/** A public X.509 certificate, checked and ready to become a key credential of the application. */
export interface Certificate {
  /** Where it came from, for people: the path as written in the environment file. */
  readonly label: string;
  /** The certificate alone, PEM with LF line ends: what the key credential carries. */
  readonly pem: string;
  /** SHA-1 thumbprint in upper-case hex, as Windows certificate manager and VB365 show it. */
  readonly thumbprint: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly rsaBits: number;
}

/** Why a file cannot be used, worded to be shown after the field path. Never quotes the file. */
export type CertificateResult = { readonly certificate: Certificate } | { readonly problem: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const PRIVATE_KEY_HINT =
  'contains a private key; refusing to use it. Give the public certificate only (Windows: export "No, do not export the private key" as DER or Base-64 .cer); the private key stays on the VB365 server';

/**
 * Reads a certificate file as VB365 or Windows exports it: DER, or Base-64/PEM with LF or CRLF line
 * ends. Refuses files holding a private key, expired certificates and RSA keys Entra rejects.
 */
export function readCertificateFile(file: string, label: string, now: Date): CertificateResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `file not found: ${label} (paths are relative to environments/)` };
    if (code === 'EISDIR') return { problem: `${label} is a folder, not a certificate file` };
    return { problem: `cannot read ${label} (${code ?? 'unknown error'})` };
  }
  const parsed = parseCertificateBytes(bytes);
  if ('problem' in parsed) return { problem: `${label} ${parsed.problem}` };
  return checkCertificate(parsed.x509, label, now);
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

function toX509(der: Buffer): { x509: X509Certificate } | { problem: string } {
  try {
    return { x509: new X509Certificate(der) };
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

function checkCertificate(x509: X509Certificate, label: string, now: Date): CertificateResult {
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  const thumbprint = x509.fingerprint.replace(/:/g, '').toUpperCase();
  if (notAfter.getTime() <= now.getTime()) {
    return { problem: `${label} (thumbprint ${thumbprint}) expired on ${formatDate(notAfter)}; give a certificate that is still valid` };
  }
  const key = x509.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return { problem: `${label} has an ${key.asymmetricKeyType?.toUpperCase() ?? 'unknown'} key; the Restore Portal's certificate must have an RSA key of at least ${MIN_RSA_BITS} bits` };
  }
  const rsaBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (rsaBits < MIN_RSA_BITS) {
    return { problem: `${label} has a ${rsaBits}-bit RSA key; Entra requires at least ${MIN_RSA_BITS} bits` };
  }
  return {
    certificate: {
      label,
      pem: x509.toString().replace(/\r\n/g, '\n'),
      thumbprint,
      subject: x509.subject.replace(/\n/g, ', '),
      notBefore,
      notAfter,
      rsaBits,
    },
  };
}

/** RFC 3339 in UTC without milliseconds, as Entra and the azuread provider write dates. */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
