// What an environment file imports (`import { defineEnvironment } from '../lib/environment'`): the
// environment schema alone, no construct, so that the commands that only read environment files
// (certs, tenants, doctor --env, manifest) never load cdktf.
export { defineEnvironment } from './environment';
export type { EnvironmentCertificateInput, EnvironmentInput } from './environment';
export type { BackendInput } from './backend';
export type { AdoptInput } from '../construct/adoption';
export type { FileCertificateInput, SelfSignedCertificateInput } from '../construct/certificate-props';
export type { ConsentTextsInput } from '../construct/restore-portal-app-props';
export type { CustomerTenantInput } from '../tenants/customer-tenant';
export type { CiMode } from './ci-mode';
