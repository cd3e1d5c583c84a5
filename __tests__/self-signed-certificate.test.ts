import { environment, fileCertificates, resourceOf, synthStack, type SynthesizedStack } from './support/builders';

const FILE = { source: 'file', path: 'certs/valid.cer' };
const SECOND_FILE = { source: 'file', path: 'certs/second.cer' };
const selfSigned = (name: string, fields: Record<string, unknown> = {}) => ({ source: 'selfSigned', name, ...fields });
const stackWith = (...certificates: unknown[]) => synthStack(environment({ certificates }));

describe('a self-signed certificate', () => {
  const stack = stackWith(selfSigned('current', { rsaBits: 3072, validityDays: 365, renewBeforeDays: 45 }));

  test('is an RSA key of the chosen size from the tls provider', () => {
    expect(resourceOf(stack, 'tls_private_key', 'portal_current')).toEqual({ algorithm: 'RSA', rsa_bits: 3072 });
    expect(stack.provider.tls).toEqual([{}]);
    expect(stack.terraform.required_providers.tls).toEqual({ source: 'hashicorp/tls', version: '4.1.0' });
  });

  test('is a certificate for signing, named for the portal host, renewed by Terraform before it expires', () => {
    expect(resourceOf(stack, 'tls_self_signed_cert', 'portal_current')).toEqual({
      private_key_pem: '${tls_private_key.portal_current.private_key_pem}',
      subject: [{ common_name: 'restore.example.com' }],
      allowed_uses: ['digital_signature', 'key_encipherment'],
      validity_period_hours: 365 * 24,
      early_renewal_hours: 45 * 24,
    });
  });

  test('becomes a key credential with the certificate PEM and the dates of the certificate as parsed, in whole seconds as Entra keeps them', () => {
    expect(resourceOf(stack, 'azuread_application_certificate', 'portal_current')).toEqual({
      application_id: '${azuread_application_registration.portal.id}',
      type: 'AsymmetricX509Cert',
      encoding: 'pem',
      value: '${tls_self_signed_cert.portal_current.cert_pem}',
      start_date: '${data.tls_certificate.portal_current.certificates[0].not_before}',
      end_date: '${data.tls_certificate.portal_current.certificates[0].not_after}',
      lifecycle: { create_before_destroy: true },
    });
  });

  test('outputs its PEM, thumbprint and expiry, and its private key only as a sensitive output', () => {
    expect(stack.output.certificate_current_pem).toMatchObject({ value: '${tls_self_signed_cert.portal_current.cert_pem}' });
    expect(stack.output.certificate_current_thumbprint).toMatchObject({
      value: '${upper(data.tls_certificate.portal_current.certificates[0].sha1_fingerprint)}',
    });
    expect(stack.data.tls_certificate.portal_current).toEqual({ content: '${tls_self_signed_cert.portal_current.cert_pem}' });
    expect(stack.output.certificate_current_not_after).toMatchObject({
      value: '${data.tls_certificate.portal_current.certificates[0].not_after}',
    });
    expect(stack.output.certificate_current_private_key_pem).toMatchObject({
      value: '${tls_private_key.portal_current.private_key_pem}',
      sensitive: true,
    });
    const carryingTheKey = Object.entries(stack.output).filter(([, o]) => JSON.stringify(o.value).includes('private_key_pem'));
    expect(carryingTheKey.map(([name, o]) => [name, o.sensitive])).toEqual([['certificate_current_private_key_pem', true]]);
  });

  test('is listed in the certificates output and named in the VB365 command by its thumbprint', () => {
    const thumbprint = '${upper(data.tls_certificate.portal_current.certificates[0].sha1_fingerprint)}';
    expect(stack.output.certificates.value).toEqual([
      { thumbprint, subject: 'CN=restore.example.com', not_after: '${data.tls_certificate.portal_current.certificates[0].not_after}' },
    ]);
    expect(stack.output.vb365_restore_portal_command.value).toContain(`<path to the .pfx of certificate ${thumbprint}>`);
  });
});

describe('certificate files', () => {
  test('also replace their key credential before destroying it, and need no tls provider', () => {
    const stack = stackWith(FILE);
    const [certificate] = fileCertificates(environment());
    const credential = resourceOf(stack, 'azuread_application_certificate', `portal_${certificate.thumbprint.toLowerCase()}`);
    expect(credential.lifecycle).toEqual({ create_before_destroy: true });
    expect(stack.provider.tls).toBeUndefined();
    expect(stack.terraform.required_providers.tls).toBeUndefined();
  });

  test('take precedence over self-signed ones in the VB365 command', () => {
    const [certificate] = fileCertificates(environment());
    const stack = stackWith(selfSigned('old'), FILE);
    expect(stack.output.vb365_restore_portal_command.value).toContain(`certificate ${certificate.thumbprint}>`);
  });
});

describe('rotation', () => {
  /** Every resource and data source as `<type>.<name>` → its JSON, as a plan would compare them. */
  const addresses = (stack: SynthesizedStack) => {
    const all = new Map<string, string>();
    for (const [kind, blocks] of [['', stack.resource], ['data.', stack.data]] as const) {
      for (const [type, named] of Object.entries(blocks ?? {})) {
        for (const [name, body] of Object.entries(named)) all.set(`${kind}${type}.${name}`, JSON.stringify(body));
      }
    }
    return all;
  };

  /** What changes between two stacks: addresses added, removed, or whose JSON differs. */
  const changes = (before: SynthesizedStack, after: SynthesizedStack) => {
    const a = addresses(before);
    const b = addresses(after);
    return {
      added: [...b.keys()].filter((k) => !a.has(k)).sort(),
      removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
      changed: [...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).sort(),
    };
  };

  test('adding the next certificate file only adds its key credential', () => {
    const [, second] = fileCertificates(environment({ certificates: [FILE, SECOND_FILE] }));
    expect(changes(stackWith(FILE), stackWith(FILE, SECOND_FILE))).toEqual({
      added: [`azuread_application_certificate.portal_${second.thumbprint.toLowerCase()}`],
      removed: [],
      changed: [],
    });
  });

  test('adding a self-signed next certificate leaves the current one byte-identical', () => {
    const [current] = fileCertificates(environment());
    const before = stackWith(FILE);
    const after = stackWith(FILE, selfSigned('next'));
    const address = `portal_${current.thumbprint.toLowerCase()}`;
    expect(JSON.stringify(resourceOf(after, 'azuread_application_certificate', address))).toBe(
      JSON.stringify(resourceOf(before, 'azuread_application_certificate', address)),
    );
    expect(changes(before, after)).toEqual({
      added: [
        'azuread_application_certificate.portal_next',
        'data.tls_certificate.portal_next',
        'tls_private_key.portal_next',
        'tls_self_signed_cert.portal_next',
      ],
      removed: [],
      changed: [],
    });
  });

  test('between self-signed certificates adds the next and then removes the current, touching nothing else', () => {
    const current = stackWith(selfSigned('current'));
    const both = stackWith(selfSigned('current'), selfSigned('next'));
    const next = stackWith(selfSigned('next'));
    const nextResources = [
      'azuread_application_certificate.portal_next',
      'data.tls_certificate.portal_next',
      'tls_private_key.portal_next',
      'tls_self_signed_cert.portal_next',
    ];
    expect(changes(current, both)).toEqual({ added: nextResources, removed: [], changed: [] });
    expect(changes(both, next)).toEqual({ added: [], removed: nextResources.map((a) => a.replace('next', 'current')), changed: [] });
  });
});
