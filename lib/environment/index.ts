// What an environment file imports (`import { defineEnvironment } from '../lib/environment'`): the
// environment schema alone, no construct, so that the commands that only read environment files
// (certs, tenants, doctor --env, manifest) never load cdktf.
export { defineEnvironment } from './environment';
export type {
  CertificateInput,
  ConsentTextsInput,
  EnvironmentInput,
  FileCertificateInput,
  SelfSignedCertificateInput,
} from './environment';
export type { BackendInput } from './backend';
export type { AdoptInput } from '../construct/adoption';
export type { CustomerTenantInput } from '../tenants/customer-tenant';
