// This repository's library: the construct's public API (lib/construct/index.ts, what the package
// exports), and defineEnvironment for environment files that import it from '../lib'. Everything else
// is imported by its own path, so that a command loads only what it uses.
export * from './construct';
export { defineEnvironment, type EnvironmentInput, type EnvironmentCertificateInput } from './environment/environment';
export type { BackendInput } from './environment/backend';
export type { CustomerTenantInput } from './tenants/customer-tenant';
