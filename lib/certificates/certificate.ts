import { X509Certificate, createPrivateKey } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { terraformTextProblem } from '../process/terraform-literal';

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
  /** Where it came from, for people: the path as written in the environment file or props, or a content's label. */
  readonly label: string;
  /**
   * True when its validity had not begun when the environment was read: Entra holds it as a key
   * credential from then on, but VB365 cannot sign in with it yet, so the VB365 command names another.
   */
  readonly notYetValid?: boolean;
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

const PRIVATE_KEY_HINT =
  'contains a private key; refusing to use it. Give the public certificate only (Windows: export "No, do not export the private key" as DER or Base-64 .cer); the private key stays on the VB365 server';
const EXPORT_AS_CER = 'export the certificate alone as "DER encoded binary X.509 (.CER)" or "Base-64 encoded X.509 (.CER)"';
const NOT_A_CERTIFICATE = 'is not an X.509 certificate (expected DER or Base-64 encoded X.509 .cer, as Windows exports it)';

/**
 * The largest certificate file read. A certificate is a few KB (a 4096-bit RSA one in Base-64 is
 * about 2 KB); the limit leaves room for long subjects and extensions and stops a huge file at once.
 */
export const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

export interface CertificateFileOptions {
  /** The folder the file must lie in once links are followed (the repository). @default anywhere */
  readonly within?: string;
  /** What a file outside `within` is told, after "is outside". @default "the repository; keep certificate files in it, under environments/" */
  readonly outside?: string;
  /** The folder relative paths start from, as messages name it. @default "environments/" */
  readonly relativeTo?: string;
}

/**
 * Reads a certificate file as VB365 or Windows exports it: DER, or Base-64/PEM with LF or CRLF line
 * ends, in UTF-8 (with or without byte order mark) or UTF-16 as PowerShell writes it. Before reading
 * it checks that the file is a regular file inside `within` and at most MAX_CERTIFICATE_FILE_BYTES,
 * so a FIFO, a device, a folder, a huge file or a path out of the repository fails at once. Refuses
 * files holding a private key in any form it knows, anything besides the one certificate, and keys
 * Entra rejects. Expiry is the caller's to judge (see certificate-expiry.ts): synth rejects expired
 * certificates, the expiry report lists them.
 */
export function readCertificateFile(file: string, label: string, options: CertificateFileOptions = {}): CertificateResult {
  const read = readSmallRegularFile(file, label, options);
  if ('problem' in read) return read;
  const parsed = parseOnce(read.bytes);
  if ('problem' in parsed) return { problem: `${label} ${parsed.problem}` };
  return checkCertificate(parsed.x509, label);
}

/**
 * Certificates parsed in this process, by their bytes and by their PEM as `certificateFacts` writes it.
 * Environments often share a certificate file, and `RestorePortalApp` checks an environment's
 * certificate again from that PEM; parsing and looking for private keys are most of any check.
 */
const parsedByBytes = new Map<string, ReturnType<typeof parseCertificateBytes>>();
const factsOf = new WeakMap<X509Certificate, CertificateFacts>();

function parseOnce(bytes: Buffer): ReturnType<typeof parseCertificateBytes> {
  const key = bytes.toString('latin1');
  let parsed = parsedByBytes.get(key);
  if (parsed === undefined) {
    parsed = parseCertificateBytes(bytes);
    parsedByBytes.set(key, parsed);
  }
  return parsed;
}

/**
 * Reads a certificate given as DER bytes or PEM text (a construct prop), with the checks and the size
 * limit of a certificate file.
 */
export function readCertificateBytes(bytes: Uint8Array, label: string): CertificateResult {
  if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
    return { problem: `${label} is larger than a certificate can be (at most ${MAX_CERTIFICATE_FILE_BYTES / 1024} KiB); give the certificate alone` };
  }
  // Typed Uint8Array so that the package's declarations need no Node types; read as a Buffer, without a copy.
  const parsed = parseOnce(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if ('problem' in parsed) return { problem: `${label} ${parsed.problem}` };
  return checkCertificate(parsed.x509, label);
}

function readSmallRegularFile(file: string, label: string, options: CertificateFileOptions): { bytes: Buffer } | { problem: string } {
  const { within, relativeTo = 'environments/', outside = 'the repository; keep certificate files in it, under environments/' } = options;
  const failed = (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: `file not found: ${label} (paths are relative to ${relativeTo})` };
    if (code === 'ELOOP') return { problem: `${label} is a link that leads to itself` };
    return { problem: `cannot read ${label} (${code ?? 'unknown error'})` };
  };
  try {
    if (within !== undefined) {
      const inside = relative(realpathSync(within), realpathSync(file));
      if (inside.startsWith('..') || isAbsolute(inside)) {
        return { problem: `${label} is outside ${outside} (links are followed)` };
      }
    }
    // Non-blocking, so opening a FIFO returns at once and fstat can say what it is.
    const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) return { problem: `${label} is a folder, not a certificate file` };
      if (!stat.isFile()) return { problem: `${label} is not a regular file (a FIFO, device or socket); give the .cer file itself` };
      const tooBig = { problem: `${label} is larger than a certificate file can be (at most ${MAX_CERTIFICATE_FILE_BYTES / 1024} KiB); give the .cer file itself` };
      if (stat.size > MAX_CERTIFICATE_FILE_BYTES) return tooBig;
      const buffer = Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      if (length > MAX_CERTIFICATE_FILE_BYTES) return tooBig;
      return { bytes: buffer.subarray(0, length) };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return failed(error);
  }
}

/**
 * The one certificate a file holds, or why it holds something else. Linear in the file's length:
 * lines are compared, never matched by a pattern that can backtrack.
 */
function parseCertificateBytes(bytes: Buffer): { x509: X509Certificate } | { problem: string } {
  const text = decodeText(bytes);
  if (text === undefined) return parseDer(bytes);
  if (/-----/.test(text)) return parsePem(text);
  // Base-64 without its BEGIN and END lines: read the DER inside, so a key cannot hide that way.
  const compact = text.replace(/\s+/g, '');
  if (compact !== '' && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return parseDer(Buffer.from(compact, 'base64'));
  return { problem: NOT_A_CERTIFICATE };
}

/** Text as PowerShell and Windows editors write it (UTF-16 with byte order mark, UTF-8 with or without), or undefined for binary. */
function decodeText(bytes: Buffer): string | undefined {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) text = bytes.subarray(3).toString('latin1');
  else text = bytes.toString('latin1');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return undefined;
  }
  return text;
}

function parsePem(text: string): { x509: X509Certificate } | { problem: string } {
  const blocks: { label: string; body: string[] }[] = [];
  let open: { label: string; body: string[]; line: number } | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    const upper = line.toUpperCase();
    const boundary = upper.startsWith('-----') && upper.endsWith('-----') && line.length >= 10 ? upper.slice(5, -5) : undefined;
    if (boundary?.startsWith('BEGIN ')) {
      if (boundary.includes('PRIVATE') || boundary.includes('ENCRYPTED')) return { problem: PRIVATE_KEY_HINT };
      if (open) return { problem: `has a BEGIN line (line ${index + 1}) inside the ${open.label} block begun on line ${open.line}; give one certificate` };
      open = { label: boundary.slice(6), body: [], line: index + 1 };
    } else if (boundary?.startsWith('END ')) {
      if (boundary.includes('PRIVATE') || boundary.includes('ENCRYPTED')) return { problem: PRIVATE_KEY_HINT };
      if (!open || boundary.slice(4) !== open.label) {
        return { problem: `has an END line (line ${index + 1}) that does not close ${open ? `the ${open.label} block begun on line ${open.line}` : 'a block'}; the file is damaged` };
      }
      blocks.push(open);
      open = undefined;
    } else if (line.startsWith('-----')) {
      return { problem: `has a line ${index + 1} that starts like a BEGIN or END line but is not one; the file is damaged` };
    } else if (open) {
      if (!/^[A-Za-z0-9+/=]*$/.test(line)) {
        // A header such as "Proc-Type: 4,ENCRYPTED" marks an encrypted key in the old PEM form.
        return line.toUpperCase().includes('ENCRYPTED') ? { problem: PRIVATE_KEY_HINT } : { problem: `has something other than Base-64 in its ${open.label} block (line ${index + 1}); the file is damaged` };
      }
      open.body.push(line);
    } else if (line !== '') {
      return { problem: `has text outside its certificate block (line ${index + 1}); give the certificate alone, as Windows exports it` };
    }
  }
  if (open) return { problem: `has a BEGIN ${open.label} line (line ${open.line}) without its END line; the file is damaged` };
  const labels = [...new Set(blocks.map((b) => b.label))];
  if (labels.includes('PKCS7')) return { problem: `is a PKCS #7 (.p7b) file; ${EXPORT_AS_CER}` };
  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (certificates.length !== blocks.length) {
    return { problem: certificates.length === 0 ? `holds no certificate (found ${labels.join(', ')})` : `holds ${labels.filter((l) => l !== 'CERTIFICATE').join(', ')} besides its certificate; give the certificate alone` };
  }
  if (certificates.length > 1) {
    return { problem: `holds ${certificates.length} certificates; give exactly one (the Restore Portal's, not a chain)` };
  }
  return parseDer(Buffer.from(certificates[0].body.join(''), 'base64'));
}

/** One DER certificate and nothing after it but whitespace; keys, PFX and PKCS #7 are named as such. */
function parseDer(der: Buffer): { x509: X509Certificate } | { problem: string } {
  if (looksLikePrivateKeyOrPfx(der)) return { problem: PRIVATE_KEY_HINT };
  if (isPkcs7(der)) return { problem: `is a PKCS #7 (.p7b) file; ${EXPORT_AS_CER}` };
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end > der.length) return { problem: NOT_A_CERTIFICATE };
  const rest = der.subarray(outer.end);
  if (!rest.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || b === 0x20)) {
    const restText = decodeText(rest) ?? '';
    if (looksLikePrivateKeyOrPfx(rest) || /PRIVATE|ENCRYPTED/i.test(restText)) return { problem: PRIVATE_KEY_HINT };
    return { problem: `has ${rest.length} bytes after its certificate; give the certificate alone, as Windows exports it` };
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der.subarray(0, outer.end));
  } catch {
    return { problem: NOT_A_CERTIFICATE };
  }
  return embedsPrivateKey(der.subarray(0, outer.end)) ? { problem: PRIVATE_KEY_HINT } : { x509 };
}

/**
 * Whether a certificate carries a DER private key inside it, as the value of an extension for
 * example: Entra and the repository would get it with the certificate. A key is a SEQUENCE that
 * starts with its version, INTEGER 0 or 1 (or, encrypted, with its encryption algorithm), which
 * keeps OpenSSL's decoding to the few places where one could be.
 */
function embedsPrivateKey(certificate: Buffer): boolean {
  for (let offset = 1; offset < certificate.length - 4; offset++) {
    if (certificate[offset] !== 0x30) continue;
    const node = readTlv(certificate, offset);
    if (!node || node.end > certificate.length) continue;
    const startsLikeAKey = certificate[node.start] === 0x02 && certificate[node.start + 1] === 0x01 && certificate[node.start + 2] <= 0x01;
    if ((startsLikeAKey || certificate[node.start] === 0x30) && looksLikePrivateKeyOrPfx(certificate.subarray(offset, node.end))) return true;
  }
  return false;
}

/** A DER tag-length-value header: where its content starts and where it ends. */
function readTlv(der: Buffer, offset: number): { tag: number; start: number; end: number } | undefined {
  if (offset + 2 > der.length) return undefined;
  const first = der[offset + 1];
  if (first < 0x80) return { tag: der[offset], start: offset + 2, end: offset + 2 + first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || offset + 2 + count > der.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[offset + 2 + i];
  return { tag: der[offset], start: offset + 2 + count, end: offset + 2 + count + length };
}

/** The OID inside `SEQUENCE { OID ... }` or `SEQUENCE { SEQUENCE { OID ... } ... }`, as bytes. */
function oidAt(der: Buffer, path: 'first' | 'firstOfFirst'): Buffer | undefined {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30) return undefined;
  let node = readTlv(der, outer.start);
  if (path === 'firstOfFirst') {
    if (node?.tag !== 0x30) return undefined;
    node = readTlv(der, node.start);
  }
  return node?.tag === 0x06 ? der.subarray(node.start, Math.min(node.end, der.length)) : undefined;
}

const RSADSI = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01]);
/** PKCS #5 (PBES2, ...) and PKCS #12 PBE algorithms: what an EncryptedPrivateKeyInfo starts with. */
const ENCRYPTED_KEY_OIDS = [Buffer.concat([RSADSI, Buffer.from([0x05])]), Buffer.concat([RSADSI, Buffer.from([0x0c])])];
const PKCS7_SIGNED_DATA = Buffer.concat([RSADSI, Buffer.from([0x07, 0x02])]);

function isPkcs7(der: Buffer): boolean {
  return oidAt(der, 'first')?.equals(PKCS7_SIGNED_DATA) ?? false;
}

/** DER private keys (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8) and PKCS#12 containers (PFX: SEQUENCE { INTEGER 3, ... }). */
function looksLikePrivateKeyOrPfx(der: Buffer): boolean {
  if (isPkcs12(der)) return true;
  const algorithm = oidAt(der, 'firstOfFirst');
  if (algorithm && ENCRYPTED_KEY_OIDS.some((oid) => algorithm.subarray(0, oid.length).equals(oid))) return true;
  // Unencrypted keys start with their version, an INTEGER; a certificate with a SEQUENCE. Asking
  // OpenSSL only then keeps three failing decodes off every certificate read.
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30 || der[outer.start] !== 0x02) return false;
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
  let facts = factsOf.get(x509);
  if (facts === undefined) {
    facts = certificateFacts(x509);
    factsOf.set(x509, facts);
  }
  const subjectProblem = terraformTextProblem(facts.subject);
  if (subjectProblem) return { problem: `${label} has a subject that ${subjectProblem}` };
  if (facts.rsaBits < MIN_RSA_BITS) {
    return { problem: `${label} has a ${facts.rsaBits}-bit RSA key; Entra requires at least ${MIN_RSA_BITS} bits` };
  }
  parsedByBytes.set(facts.pem, { x509 });
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
