import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { UserError } from '../process/command-line';

/**
 * The client certificate an identity signs in with, as the azuread provider takes it: a PKCS#12
 * (PFX) bundle, from ARM_CLIENT_CERTIFICATE_PATH or base64 in ARM_CLIENT_CERTIFICATE, opened with
 * ARM_CLIENT_CERTIFICATE_PASSWORD. `@azure/identity` takes PEM instead (certificate and private key
 * in one text), so the bundle is turned into that in memory; nothing is written anywhere.
 */

/** A PFX holding a certificate chain is a few KiB; reading stops here. */
export const MAX_CLIENT_CERTIFICATE_BYTES = 64 * 1024;

/**
 * The PEM `@azure/identity`'s ClientCertificateCredential takes: the certificate that matches the
 * bundle's private key, then the key. `source` names where the bundle came from, for messages; the
 * password is never shown.
 * @throws UserError when the bundle cannot be opened or holds no usable key and certificate
 */
export function clientCertificatePem(pfx: Buffer, password: string, source: string): string {
  if (pfx.length > MAX_CLIENT_CERTIFICATE_BYTES) {
    throw new UserError(`${source}: is larger than a client certificate bundle can be (at most ${MAX_CLIENT_CERTIFICATE_BYTES / 1024} KiB)`);
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary'))), password);
  } catch {
    throw new UserError(
      `${source}: cannot be opened as a PKCS#12 (.pfx) bundle with ARM_CLIENT_CERTIFICATE_PASSWORD (wrong password, or not a PFX: the azuread provider, and so this command, takes PKCS#12)`,
    );
  }
  const keys = [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag].flatMap((type) => p12.getBags({ bagType: type })[type] ?? []);
  const certificates = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const key = keys.find((bag) => bag.key)?.key;
  if (!key) throw new UserError(`${source}: holds no private key; export the certificate with its private key (a .pfx)`);
  const keyPem = forge.pki.privateKeyToPem(key);
  const matching = certificates
    .map((bag) => (bag.cert ? forge.pki.certificateToPem(bag.cert) : undefined))
    .find((pem) => pem !== undefined && sameKey(pem, keyPem));
  if (!matching) {
    throw new UserError(`${source}: holds no certificate for its private key; export the certificate with its private key (a .pfx)`);
  }
  return `${matching}${keyPem}`;
}

function sameKey(certificatePem: string, privateKeyPem: string): boolean {
  try {
    return new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
