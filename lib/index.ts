// The public API: the construct a CDK for Terraform app adds, its props and types, the identifiers
// it is built on, and defineEnvironment for this repository's environment files. Everything else
// is imported by its own path, so that a command loads only what it uses.
export { RestorePortalApp, RestorePortalAppPropsError } from './construct/restore-portal-app';
export type { RestorePortalAppProps, ConsentTextsInput } from './construct/restore-portal-app-props';
export type {
  CertificateInput,
  ContentCertificateInput,
  FileCertificateInput,
  SelfSignedCertificateInput,
} from './construct/certificate-props';
export type { AdoptInput } from './construct/adoption';
export type { CloudName } from './construct/cloud';
export type { Certificate, FileCertificate, SelfSignedCertificate } from './certificates/certificate';
export { AdminConsent, type AdminConsentProps } from './construct/admin-consent';
export { TlsSelfSignedCertificate } from './construct/tls-self-signed-certificate';
export * from './construct/well-known';
export { defineEnvironment, type EnvironmentInput, type EnvironmentCertificateInput } from './environment/environment';
export type { BackendInput } from './environment/backend';
export type { CustomerTenantInput } from './tenants/customer-tenant';
