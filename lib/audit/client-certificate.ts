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
 * The most key-derivation iterations a bundle may ask for. Windows, OpenSSL, Java and Key Vault
 * export with 2,000 to 10,000 (600,000 is the most anyone recommends); node-forge derives in
 * JavaScript at about 30 µs an iteration, so a bundle asking for 2^31 would hold the command for a day.
 */
const MAX_ITERATIONS = 600_000;

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
  const unopened = new UserError(
    `${source}: cannot be opened as a PKCS#12 (.pfx) bundle with ARM_CLIENT_CERTIFICATE_PASSWORD (wrong password, or not a PFX: the azuread provider, and so this command, takes PKCS#12)`,
  );
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
  } catch {
    throw unopened;
  }
  const iterations = Math.max(0, ...iterationCounts(asn1, 0));
  if (iterations > MAX_ITERATIONS) {
    throw new UserError(
      `${source}: asks for ${iterations > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : iterations.toLocaleString('en-US')} key-derivation iterations, more than the ${MAX_ITERATIONS.toLocaleString('en-US')} this command derives (a bundle exported by Windows, OpenSSL or Key Vault uses 2,000 to 10,000); export it again`,
    );
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password);
  } catch {
    throw unopened;
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

/**
 * Every iteration count in a bundle: in PKCS#12 the MAC's (MacData), each PBE's (pkcs-12PbeParams)
 * and each PBKDF2's (PBKDF2-params) is an INTEGER right after the salt, an OCTET STRING, in a
 * SEQUENCE. The authenticated and safe contents are DER inside OCTET STRINGs, read the same way.
 */
function iterationCounts(node: forge.asn1.Asn1, depth: number): number[] {
  if (depth > 32) return [];
  const { Class, Type } = forge.asn1;
  if (!Array.isArray(node.value)) {
    if (node.tagClass !== Class.UNIVERSAL || node.type !== Type.OCTETSTRING || node.value.length < 2) return [];
    let inner: forge.asn1.Asn1;
    try {
      inner = forge.asn1.fromDer(forge.util.createBuffer(node.value), true);
    } catch {
      return [];
    }
    return iterationCounts(inner, depth + 1);
  }
  const children = node.value;
  return children.flatMap((child, index) => {
    const salt = children[index - 1];
    const isCount =
      node.type === Type.SEQUENCE && child.tagClass === Class.UNIVERSAL && child.type === Type.INTEGER && typeof child.value === 'string' &&
      salt?.tagClass === Class.UNIVERSAL && salt.type === Type.OCTETSTRING && typeof salt.value === 'string';
    return [...(isCount ? [integerOf(child.value as string)] : []), ...iterationCounts(child, depth + 1)];
  });
}

/** A DER INTEGER's bytes as a number; Infinity past what a double holds exactly. */
function integerOf(bytes: string): number {
  if (bytes.length > 6) return Infinity;
  let value = 0;
  for (let i = 0; i < bytes.length; i++) value = value * 256 + bytes.charCodeAt(i);
  return value;
}

function sameKey(certificatePem: string, privateKeyPem: string): boolean {
  try {
    return new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
