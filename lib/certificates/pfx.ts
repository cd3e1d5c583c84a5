import { createPrivateKey } from 'node:crypto';
import forge from 'node-forge';

/**
 * The password-protected PKCS#12 (PFX) that VB365's `-CertificateFilePath`/`-CertificatePassword`
 * load. Node's crypto cannot write PKCS#12, so node-forge builds it.
 *
 * Algorithms: the key is encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC and the file is MACed with
 * HMAC-SHA1, as Windows' own "TripleDES-SHA1" export does. Windows Server 2016 (1607) imports only
 * that; AES256-SHA256 PFX files need Windows Server 2019 / Windows 10 1709 (Microsoft's
 * PKCS12_PBES2_EXPORT_PARAMS requirements), and VB365 supports Server 2016. The certificate bag is
 * not encrypted: it is the public certificate Entra already holds.
 */
export const PFX_ALGORITHMS = { keyEncryption: '3des', mac: 'sha1', iterations: 2048 } as const;

export interface PfxContents {
  readonly certificatePem: string;
  /** RSA private key, PKCS#1 or PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** The name Windows certificate manager shows for the imported certificate. */
  readonly friendlyName: string;
}

export function buildPfx(contents: PfxContents, password: string): Buffer {
  // node-forge reads PKCS#1 RSA keys; the tls provider gives PKCS#1, others may give PKCS#8.
  const pkcs1 = createPrivateKey(contents.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(pkcs1),
    [forge.pki.certificateFromPem(contents.certificatePem)],
    password,
    {
      algorithm: PFX_ALGORITHMS.keyEncryption,
      count: PFX_ALGORITHMS.iterations,
      friendlyName: contents.friendlyName,
      generateLocalKeyId: true,
    },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
