// The package's public API (package.json's main): the construct a CDK for Terraform app adds, its props
// and results, and the identifiers it is built on. Nothing of this repository's environment files.
export { RestorePortalApp, RestorePortalAppPropsError, RESTORE_PORTAL_APP_CHILD_IDS, type KeyCredential } from './restore-portal-app';
export type { RestorePortalAppProps, ConsentTextsInput } from './restore-portal-app-props';
export type { CertificateInput, ContentCertificateInput, FileCertificateInput, SelfSignedCertificateInput } from './certificate-props';
export type { AdoptInput } from './adoption';
export type { CloudName } from './cloud';
export type { Certificate, FileCertificate, SelfSignedCertificate } from '../certificates/certificate';
export { AdminConsent, type AdminConsentProps } from './admin-consent';
export {
  RestorePortalCustomerConsent,
  type RestorePortalCustomerConsentProps,
  type ExistingCustomerConsentInput,
} from './restore-portal-customer-consent';
// A type only: it is made from a checked certificate entry, which the app's props give.
export type { TlsSelfSignedCertificate } from '../certificates/tls-self-signed-certificate';
export * from './well-known';
