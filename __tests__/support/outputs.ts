import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed certificate's values as the tls provider outputs them. */
export interface SelfSignedValues {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/**
 * A key and certificate (CN=<name>.example.com) as the tls provider outputs them: PKCS#1 RSA key, PEM
 * certificate. Made by openssl in `dir`, a key of its own each, so that one's key does not fit another.
 */
export function selfSignedValues(dir: string, name: string): SelfSignedValues {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${name}.example.com`,
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
  ], { stdio: 'ignore' });
  return {
    certificatePem: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    privateKeyPem: createPrivateKey(readFileSync(join(dir, `${name}.key`))).export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

/** `terraform output -json` of a stack with the given self-signed certificates, by name. */
export function selfSignedOutputsJson(certificates: Record<string, SelfSignedValues>, applicationId = 'x'): string {
  const outputs: Record<string, unknown> = { application_id: { sensitive: false, type: 'string', value: applicationId } };
  for (const [name, c] of Object.entries(certificates)) {
    outputs[`certificate_${name}_pem`] = { sensitive: false, type: 'string', value: c.certificatePem };
    outputs[`certificate_${name}_private_key_pem`] = { sensitive: true, type: 'string', value: c.privateKeyPem };
  }
  return JSON.stringify(outputs);
}
