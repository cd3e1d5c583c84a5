import type { AdoptInput } from '../construct/adoption';
import type { CertificateInput, SelfSignedCertificateInput } from '../construct/certificate-props';
import type { RestorePortalAppProps } from '../construct/restore-portal-app-props';
import type { Environment } from './environment';

/**
 * The props of an environment's `RestorePortalApp`. Public certificates go by content, as read when
 * the environment was checked, so the construct's own check sees the same bytes and reads no file twice.
 */
export function restorePortalAppProps(env: Environment, managedBy: string): RestorePortalAppProps {
  return {
    redirectUris: env.redirectUris,
    certificates: env.certificates.map(
      (c): CertificateInput =>
        c.source === 'file'
          ? { source: 'content', content: c.pem, label: c.label }
          : {
              source: 'selfSigned',
              name: c.name,
              commonName: c.commonName,
              validityDays: c.validityDays,
              rsaBits: c.rsaBits as SelfSignedCertificateInput['rsaBits'],
              renewBeforeDays: c.renewBeforeDays,
            },
    ),
    displayName: env.displayName,
    owners: env.owners,
    deployingIdentityObjectId: env.deployingIdentityObjectId,
    scopeId: env.scopeId,
    consentTexts: env.consentTexts,
    cloud: env.cloud.name,
    adopt: adoptInput(env),
    notes: `Managed by ${managedBy}, environment "${env.name}" (${env.file}). Changes made here are reverted by the next deploy.`,
  };
}

function adoptInput(env: Environment): AdoptInput | undefined {
  const adoption = env.adoption;
  if (!adoption) return undefined;
  return {
    applicationObjectId: adoption.applicationObjectId,
    clientId: adoption.clientId,
    scopeId: adoption.scopeId,
    servicePrincipalObjectId: adoption.servicePrincipalObjectId,
    consentGrantIds: adoption.consentGrantIds,
    certificateKeyIds: Object.fromEntries(adoption.certificateKeyIds),
    preAuthorized: adoption.preAuthorized,
    existingOwners: adoption.existingOwners,
  };
}
