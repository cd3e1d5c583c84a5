import type { Certificate } from './certificate';
import type { Cloud } from './cloud';

/**
 * The admin consent URL a customer tenant's admin opens to consent for their whole organisation
 * (`organizations` lets any work or school tenant use the same link).
 */
export function adminConsentUrl(cloud: Cloud, clientId: string, tenant = 'organizations'): string {
  return `https://${cloud.loginHost}/${tenant}/adminconsent?client_id=${clientId}`;
}

/** The certificate VB365 should be configured with: the one valid longest. */
export function newestCertificate(certificates: readonly Certificate[]): Certificate {
  return certificates.reduce((newest, c) => (c.notAfter.getTime() > newest.notAfter.getTime() ? c : newest));
}

/**
 * The PowerShell a backup administrator pastes on the VB365 server to point the Restore Portal at
 * this application. The PFX path is a placeholder to edit; the password is asked for, never written.
 */
export function restorePortalSettingsCommand(opts: {
  readonly clientId: string;
  readonly portalUri: string;
  readonly cloud: Cloud;
  readonly certificate: Certificate;
}): string {
  return [
    `$pfx = '<path to the .pfx of certificate ${opts.certificate.thumbprint}>';`,
    'Set-VBORestorePortalSettings -EnableService',
    `-ApplicationId ${opts.clientId}`,
    '-CertificateFilePath $pfx',
    "-CertificatePassword (Read-Host -AsSecureString -Prompt 'PFX password')",
    `-PortalUri '${opts.portalUri}'`,
    `-Region ${opts.cloud.vb365Region}`,
  ].join(' ');
}
