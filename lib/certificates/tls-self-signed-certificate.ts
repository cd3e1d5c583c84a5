import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { SelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { SelfSignedCertificate } from './certificate';
import { terraformLiteral } from '../process/terraform-literal';

export interface TlsSelfSignedCertificateProps {
  /** The validated self-signed certificate entry of the app's props. */
  readonly certificate: SelfSignedCertificate;
  /** The Terraform name of its resources, e.g. `portal_next`. */
  readonly logicalId: string;
}

const HOURS_PER_DAY = 24;

/**
 * An RSA key and a self-signed certificate made by the tls provider, for a key credential of the
 * application. The private key is kept in Terraform state; it leaves it only through a sensitive output.
 *
 * The certificate is replaced once it is within `renewBeforeDays` of expiry (`early_renewal_hours`),
 * so a plan shows the renewal before sign-ins break; the key stays, so only the certificate changes.
 */
export class TlsSelfSignedCertificate extends Construct {
  /** The certificate in PEM: the value of the key credential. */
  public readonly certificatePem: string;
  /** The private key in PEM (PKCS#1). Sensitive: for the PFX VB365 loads, nothing else. */
  public readonly privateKeyPem: string;
  /** SHA-1 thumbprint in upper-case hex, as Windows and VB365 show it. */
  public readonly thumbprint: string;
  /** Start of validity, RFC 3339 in UTC to the second, as Entra keeps a key credential's dates. */
  public readonly notBefore: string;
  /** End of validity, RFC 3339 in UTC to the second. */
  public readonly notAfter: string;

  constructor(scope: Construct, id: string, props: TlsSelfSignedCertificateProps) {
    super(scope, id);
    const certificate = props.certificate;

    const key = new PrivateKey(this, 'key', { algorithm: 'RSA', rsaBits: certificate.rsaBits });
    key.overrideLogicalId(props.logicalId);

    const cert = new SelfSignedCert(this, 'certificate', {
      privateKeyPem: key.privateKeyPem,
      subject: [{ commonName: terraformLiteral(certificate.commonName) }],
      // Enough to sign VB365's client assertions to Entra; this certificate serves no TLS.
      allowedUses: ['digital_signature', 'key_encipherment'],
      validityPeriodHours: certificate.validityDays * HOURS_PER_DAY,
      earlyRenewalHours: certificate.renewBeforeDays * HOURS_PER_DAY,
    });
    cert.overrideLogicalId(props.logicalId);

    // The tls provider gives no SHA-1 thumbprint for a certificate it makes; reading it back does, with its dates.
    const parsed = new DataTlsCertificate(this, 'parsed', { content: cert.certPem });
    parsed.overrideLogicalId(props.logicalId);

    this.certificatePem = cert.certPem;
    this.privateKeyPem = key.privateKeyPem;
    // The key credential's dates come from the certificate as parsed (whole seconds, UTC): that is how
    // Entra keeps them and the azuread provider reads them back. validity_start_time/validity_end_time
    // carry nanoseconds and the zone of the machine that applied, which would differ from the credential
    // read back on every later plan (all its fields force a new one) and end after the certificate does.
    const parsedCertificate = parsed.certificates.get(0);
    this.notBefore = parsedCertificate.notBefore;
    this.notAfter = parsedCertificate.notAfter;
    this.thumbprint = Fn.upper(parsedCertificate.sha1Fingerprint);
  }
}
