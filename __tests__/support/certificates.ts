import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** One RSA key for every certificate a test file makes: node makes it in milliseconds, forge in seconds. */
let key: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
export function testKey() {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return key;
}

export interface MadeCertificate {
  readonly pem: string;
  readonly der: Buffer;
}

/** forge's own, which cert.sign uses; @types/node-forge leaves it out. */
const { getTBSCertificate } = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/** A self-signed RSA certificate with the given subject and validity, made in memory for a test. */
export function makeCertificate(options: {
  commonName?: string;
  notBefore: Date;
  notAfter: Date;
  /** The DER value of a private extension (OID 1.3.6.1.4.1.55555.1) the certificate carries. */
  extension?: Buffer;
}): MadeCertificate {
  const { privateKey, publicKey } = testKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  const subject = [{ name: 'commonName', value: options.commonName ?? 'made.test.example' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  if (options.extension) cert.setExtensions([{ id: '1.3.6.1.4.1.55555.1', value: options.extension.toString('binary') }]);
  // Signed as forge's cert.sign would, but by node: forge's RSA in JavaScript took most of the time.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const tbs = Buffer.from(forge.asn1.toDer(getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, privateKey).toString('binary');
  const pem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  return { pem, der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary') };
}
