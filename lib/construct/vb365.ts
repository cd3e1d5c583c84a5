import type { Certificate } from '../certificates/certificate';
import type { Cloud } from './cloud';

/** Where VB365 serves the REST API and the Restore Portal unless told otherwise (Set-VBORestAPISettings -HTTPSPort). */
export const VB365_PORTAL_PORT = 4443;

/**
 * The admin consent URL a customer tenant's admin opens to consent for their whole organisation
 * (`organizations` lets any work or school tenant use the same link).
 */
export function adminConsentUrl(cloud: Cloud, clientId: string, tenant = 'organizations'): string {
  return `https://${cloud.loginHost}/${tenant}/adminconsent?client_id=${clientId}`;
}

/**
 * The certificate VB365 should be configured with: the file certificate valid longest among those
 * valid now. Without one, the self-signed one listed last, since a rotation lists the next one after
 * the current. File certificates come first because moving from self-signed to a file is the usual
 * way round. A certificate not valid yet is named only when nothing else is left (the environment
 * warns about that): VB365 configured with it could not sign in.
 */
export function newestCertificate(certificates: readonly Certificate[]): Certificate {
  const files = certificates.filter((c) => c.source === 'file');
  const validNow = files.filter((c) => !c.notYetValid);
  const selfSigned = certificates.filter((c) => c.source === 'selfSigned');
  const candidates = validNow.length > 0 ? validNow : selfSigned.length > 0 ? [] : files;
  if (candidates.length === 0) return selfSigned[selfSigned.length - 1];
  return candidates.reduce((newest, c) => (c.notAfter.getTime() > newest.notAfter.getTime() ? c : newest));
}

/**
 * The PowerShell a backup administrator pastes on the VB365 server to point the Restore Portal at
 * this application. The PFX path is a placeholder to edit; the password is asked for, never written.
 */
export function restorePortalSettingsCommand(opts: {
  readonly clientId: string;
  readonly portalUri: string;
  readonly cloud: Cloud;
  /** SHA-1 thumbprint of the certificate whose PFX VB365 loads. */
  readonly certificateThumbprint: string;
}): string {
  return [
    `$pfx = '<path to the .pfx of certificate ${opts.certificateThumbprint}>';`,
    'Set-VBORestorePortalSettings -EnableService',
    `-ApplicationId ${opts.clientId}`,
    '-CertificateFilePath $pfx',
    "-CertificatePassword (Read-Host -AsSecureString -Prompt 'PFX password')",
    `-PortalUri '${opts.portalUri}'`,
    `-Region ${opts.cloud.vb365Region}`,
  ].join(' ');
}
