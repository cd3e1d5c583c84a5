import { dirname } from 'node:path';
import { readBackend, type Backend, type BackendInput } from './backend';
import { readCiMode, type CiMode } from './ci-mode';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/certificate-expiry';
import type { AdoptInput } from '../construct/adoption';
import type { FileCertificateInput, SelfSignedCertificateInput } from '../construct/certificate-props';
import type { CloudName } from '../construct/cloud';
import { uuidV5 } from '../construct/deterministic-uuid';
import {
  readRestorePortalAppProps,
  type ConsentTextsInput,
  type RestorePortalAppSettings,
} from '../construct/restore-portal-app-props';
import { ACCESS_AS_USER } from '../construct/well-known';
import { readCustomerTenants, TENANT_STACK_MARKER, type CustomerTenant, type CustomerTenantInput } from '../tenants/customer-tenant';
import { isExample } from './example-environment';
import { readGuid, readInteger, readObject, type Report } from '../input/field-reader';
import { readPlainData } from './plain-data';
import type { Problem, Warning } from '../process/problem';

/** A certificate of an environment file: a public certificate file, or one Terraform makes. */
export type EnvironmentCertificateInput = FileCertificateInput | SelfSignedCertificateInput;

/** What an environment file declares: the shape `defineEnvironment` accepts. */
export interface EnvironmentInput {
  /** The Entra tenant (directory) ID that holds the registration; the stack's provider is pinned to it. */
  readonly tenantId: string;
  /** The Restore Portal's addresses (SPA redirect URIs), e.g. `https://restore.example.com:4443`. */
  readonly redirectUris: readonly string[];
  /** Certificates whose private keys VB365 holds; one key credential each. At least one; list current and next to rotate. */
  readonly certificates: readonly EnvironmentCertificateInput[];
  /** @default "VB365 Restore Portal" */
  readonly displayName?: string;
  /** Object IDs of users or service principals that own the application and its service principal. @default none */
  readonly owners?: readonly string[];
  /**
   * Object ID of the service principal that applies this environment (`restore-portal-deploy` in CI).
   * It stays an owner of the service principal (and of an adopted registration), which
   * `Application.ReadWrite.OwnedBy` needs on every later apply. Named here, not read from the signed-in
   * identity, so that a plan comes out the same whoever makes it.
   * @default none: synth warns when the environment keeps remote state, as CI deploys those
   */
  readonly deployingIdentityObjectId?: string;
  /** ID of the `access_as_user` scope. @default a UUIDv5 of the environment name, stable across runs */
  readonly scopeId?: string;
  /** National cloud of the tenant. @default "public" */
  readonly cloud?: CloudName;
  /** Consent texts of the `access_as_user` scope. @default the wording of Veeam's article */
  readonly consentTexts?: ConsentTextsInput;
  /** Where Terraform keeps this environment's state. @default local state in `terraform.<name>.tfstate` */
  readonly backend?: BackendInput;
  /** Synth warns, and `npm run certs` exits 2, when a certificate expires within this many days (1 to 365). @default 30 */
  readonly expiryWarningDays?: number;
  /** An existing registration to import instead of creating one; its scope ID is kept. @default a new registration */
  readonly adopt?: AdoptInput;
  /** Customer tenants to onboard, one stack `<name>-tenant-<customer>` each. @default none */
  readonly customerTenants?: readonly CustomerTenantInput[];
  /**
   * How the GitHub workflows treat the environment: `apply` (planned on pull requests, checked daily,
   * applied by apply.yml), `plan` (planned and checked, applied from a workstation) or `workstation`
   * (no workflow touches it). @default "workstation" with a self-signed certificate (its private key is
   * in the state CI's plan identity would read) or local state (which CI cannot see), else "apply"
   */
  readonly ci?: CiMode;
}

/**
 * Declares an environment. The returned value is the input unchanged: it is validated when synth
 * loads the file, so a file that skips the type checker is checked all the same.
 */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}

/**
 * A validated environment: every field checked, defaults applied, certificates read. The fields it
 * shares with `RestorePortalAppProps` are checked by the construct's own reader.
 */
export interface Environment extends RestorePortalAppSettings {
  /** The environment's name: its file name without `.ts`, and the name of its Terraform stack. */
  readonly name: string;
  /** The environment file, relative to the project root, for messages. */
  readonly file: string;
  readonly tenantId: string;
  readonly backend: Backend;
  readonly expiryWarningDays: number;
  readonly customerTenants: readonly CustomerTenant[];
  /** How the GitHub workflows treat it, the default applied. */
  readonly ci: CiMode;
}

/** Where an environment file is and the clock it is checked against. */
export interface EnvironmentSource {
  /** Environment name (file name without `.ts`). */
  readonly name: string;
  /** The file, relative to the project root, as shown in messages. */
  readonly file: string;
  /** Absolute path of the folder certificate paths are relative to. */
  readonly environmentsDir: string;
  /** The time certificates must still be valid at. */
  readonly now: Date;
  /** Keep expired certificates instead of rejecting them, for reports that must list them. @default false */
  readonly allowExpired?: boolean;
}

export type EnvironmentResult = (
  | { readonly environment: Environment; readonly problems: readonly [] }
  | { readonly environment?: undefined; readonly problems: readonly Problem[] }
) & {
  /** Things worth knowing that do not stop synthesis (printed by synth, never fatal). */
  readonly warnings: readonly Warning[];
};

const FIELDS = [
  'tenantId',
  'redirectUris',
  'certificates',
  'displayName',
  'owners',
  'deployingIdentityObjectId',
  'scopeId',
  'cloud',
  'consentTexts',
  'backend',
  'expiryWarningDays',
  'adopt',
  'customerTenants',
  'ci',
] as const satisfies readonly (keyof EnvironmentInput)[];

const LOCAL_STATE_WARNING = (path: string) =>
  `keeps its Terraform state in a local file (${path}): CI and colleagues start from empty state and would register a second application; set backend to { type: "azurerm", ... } or { type: "cloud", ... }`;
const TENANT_LOCAL_STATE_WARNING =
  "tenant stacks read the application's client ID from this environment's local state file, which only this machine has; CI cannot plan them";
const MISSING_DEPLOYING_IDENTITY =
  "is not set: the azuread provider removes the identity that creates the service principal from its owners, so a deploying identity with Application.ReadWrite.OwnedBy cannot change it after the first apply. Set it to the object ID of that identity's service principal (az ad sp show --id <its application ID> --query id -o tsv); with Application.ReadWrite.All it does no harm either";
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Checks an environment file's default export into a trusted `Environment`, or lists every problem. */
export function parseEnvironment(input: unknown, source: EnvironmentSource): EnvironmentResult {
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const report: Report = (path, message) => problems.push({ file: source.file, path, message });
  const warn: Report = (path, message) => warnings.push({ file: source.file, path, message });

  if (!STACK_NAME.test(source.name)) {
    report('', `the file name "${source.name}" is used as the stack name: start with a letter or digit, then letters, digits, "-" and "_" (at most 63 in all)`);
  }
  // Ignoring case: "prod-TENANT-x" would share a folder with prod's customer "x" on Windows and macOS.
  if (source.name.toLowerCase().includes(TENANT_STACK_MARKER)) {
    report('', `the file name "${source.name}" contains "${TENANT_STACK_MARKER}", which marks the stacks of customer tenants; rename the file`);
  }
  const data = readPlainData(input, report);
  if (problems.length > 0) return { problems, warnings };
  const raw = readObject(data, '', FIELDS, report);
  if (!raw) {
    if (problems.length === 0) report('', 'must default-export defineEnvironment({ ... })');
    return { problems, warnings };
  }
  if (raw.tenantId === undefined) report('tenantId', 'is required');
  const tenantId = raw.tenantId === undefined ? undefined : readGuid(raw.tenantId, 'tenantId', report, 'the tenant ID, a GUID');
  const expiryWarningDays =
    raw.expiryWarningDays === undefined
      ? DEFAULT_EXPIRY_WARNING_DAYS
      : readInteger(raw.expiryWarningDays, 'expiryWarningDays', report, { min: 1, max: 365 });
  const app = readRestorePortalAppProps(
    raw,
    {
      // The environments folder sits in the repository's root: certificate files must stay inside it.
      certificatesDir: { path: source.environmentsDir, label: 'environments/', within: dirname(source.environmentsDir) },
      now: source.now,
      allowExpired: source.allowExpired,
      expiryWarningDays: expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
      defaultScopeId: uuidV5(`${source.name}/${ACCESS_AS_USER}`),
      certificateSources: ['file', 'selfSigned'],
      // This repository's plan workflow reads every environment's state, for pull requests too.
      stateReaders: "every pull request's plan job, which reads the state with the pull request's own code",
    },
    report,
    warn,
  );
  const deployer = raw.deployingIdentityObjectId;
  if (tenantId !== undefined && typeof deployer === 'string' && deployer.toLowerCase() === tenantId) {
    report('deployingIdentityObjectId', "is the tenant ID; give the object ID of the deploying identity's service principal (Enterprise applications → restore-portal-deploy → Object ID)");
  }
  const backend = readBackend(raw.backend, source.name, report);
  // An example is never planned, so its local state is intended.
  const example = tenantId !== undefined && isExample({ tenantId });
  if (backend?.type === 'local' && !example) {
    warn('backend', LOCAL_STATE_WARNING(backend.path));
  }
  // Remote state is what CI deploys from, with an identity of its own; a person applying local state acts
  // through an Entra role, which needs no ownership.
  if (backend !== undefined && backend.type !== 'local' && raw.deployingIdentityObjectId === undefined) {
    warn('deployingIdentityObjectId', MISSING_DEPLOYING_IDENTITY);
  }
  const customerTenants = readCustomerTenants(raw.customerTenants, { name: source.name, tenantId, backend }, report);
  if (backend?.type === 'local' && !example && customerTenants && customerTenants.length > 0) {
    warn('customerTenants', TENANT_LOCAL_STATE_WARNING);
  }
  const ci = readCiMode(raw.ci, { certificateSources: app?.certificates.map((c) => c.source), backend, example }, report, warn);

  if (problems.length > 0) return { problems, warnings };
  return {
    environment: {
      name: source.name,
      file: source.file,
      tenantId: tenantId!,
      ...app!,
      backend: backend!,
      expiryWarningDays: expiryWarningDays!,
      customerTenants: customerTenants!,
      ci: ci!,
    },
    problems: [],
    warnings,
  };
}
