import { readBackend, type Backend, type BackendInput } from './backend';
import type { Certificate } from '../certificates/certificate';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/certificate-expiry';
import { readAdoption, type Adoption, type AdoptInput } from '../construct/adoption';
import { CLOUDS, CLOUD_NAMES, type Cloud, type CloudName } from '../construct/cloud';
import { readCustomerTenants, TENANT_STACK_MARKER, type CustomerTenant, type CustomerTenantInput } from '../tenants/customer-tenant';
import { uuidV5 } from '../construct/deterministic-uuid';
import { readCertificates } from './environment-certificates';
import { isExample } from './example-environment';
import { fieldPath, readArray, readGuid, readInteger, readObject, readOneOf, readString, type Report } from './field-reader';
import type { Problem, Warning } from '../process/problem';
import { readPlainData } from './plain-data';
import { readRedirectUris } from '../construct/redirect-uri';
import { ACCESS_AS_USER, ARTICLE_CONSENT_TEXTS, DEFAULT_DISPLAY_NAME } from '../construct/well-known';

/** A public certificate file, as exported from Windows or VB365 without its private key. */
export interface FileCertificateInput {
  readonly source: 'file';
  /** Path of a DER or Base-64 (PEM) `.cer` file, relative to the environments folder. */
  readonly path: string;
}

/**
 * A certificate Terraform creates with the tls provider. Its private key is kept in Terraform state:
 * protect the state backend, and prefer a file certificate for production.
 */
export interface SelfSignedCertificateInput {
  readonly source: 'selfSigned';
  /** Names the key credential and its Terraform resources (`portal_<name>`): a letter, then letters, digits, "-", "_" (at most 32). */
  readonly name: string;
  /** Subject common name (CN). @default the host of the first redirect URI */
  readonly commonName?: string;
  /** Days the certificate is valid, 2 to 3650. @default 730 */
  readonly validityDays?: number;
  /** RSA key size. @default 2048 */
  readonly rsaBits?: 2048 | 3072 | 4096;
  /**
   * Terraform plans a new certificate this many days before expiry, 1 to 365 and below validityDays.
   * @default 14, inside the 30-day expiry warning, so `npm run certs` calls for a rotation first
   */
  readonly renewBeforeDays?: number;
}

export type CertificateInput = FileCertificateInput | SelfSignedCertificateInput;

/** Consent texts of the `access_as_user` scope, shown on Entra's consent screens. */
export interface ConsentTextsInput {
  /** @default "Access Veeam Backup for Microsoft 365 Restore Portal" */
  readonly adminConsentDisplayName?: string;
  /** @default "Allows access to Veeam Backup for Microsoft 365 Restore Portal as the signed-in user" */
  readonly adminConsentDescription?: string;
  /** @default "Access Veeam Backup for Microsoft 365 Restore Portal" */
  readonly userConsentDisplayName?: string;
  /** @default "Allows access to Veeam Backup for Microsoft 365 Restore Portal on your behalf" */
  readonly userConsentDescription?: string;
}

/** What an environment file declares: the shape `defineEnvironment` accepts. */
export interface EnvironmentInput {
  /** The Entra tenant (directory) ID that holds the registration; the stack's provider is pinned to it. */
  readonly tenantId: string;
  /** The Restore Portal's addresses (SPA redirect URIs), e.g. `https://restore.example.com:4443`. */
  readonly redirectUris: readonly string[];
  /** Certificates whose private keys VB365 holds; one key credential each. At least one; list current and next to rotate. */
  readonly certificates: readonly CertificateInput[];
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
}

/**
 * Declares an environment. The returned value is the input unchanged: it is validated when synth
 * loads the file, so a file that skips the type checker is checked all the same.
 */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}

/** A validated environment: every field checked, defaults applied, certificates read. */
export interface Environment {
  /** The environment's name: its file name without `.ts`, and the name of its Terraform stack. */
  readonly name: string;
  /** The environment file, relative to the project root, for messages. */
  readonly file: string;
  readonly tenantId: string;
  readonly cloud: Cloud;
  readonly displayName: string;
  readonly redirectUris: readonly string[];
  readonly certificates: readonly Certificate[];
  readonly owners: readonly string[];
  /** The service principal that applies the environment; an owner of what it must keep changing. */
  readonly deployingIdentityObjectId?: string;
  readonly scopeId: string;
  readonly consentTexts: Required<ConsentTextsInput>;
  readonly backend: Backend;
  readonly expiryWarningDays: number;
  /** The existing registration the stack imports, when the environment adopts one. */
  readonly adoption?: Adoption;
  readonly customerTenants: readonly CustomerTenant[];
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
] as const satisfies readonly (keyof EnvironmentInput)[];

const CONSENT_TEXT_FIELDS = Object.keys(ARTICLE_CONSENT_TEXTS) as (keyof ConsentTextsInput)[];
const LOCAL_STATE_WARNING = (path: string) =>
  `keeps its Terraform state in a local file (${path}): CI and colleagues start from empty state and would register a second application; set backend to { type: "azurerm", ... } or { type: "cloud", ... }`;
const TENANT_LOCAL_STATE_WARNING =
  "tenant stacks read the application's client ID from this environment's local state file, which only this machine has; CI cannot plan them";
const MISSING_DEPLOYING_IDENTITY =
  "is not set: the azuread provider removes the identity that creates the service principal from its owners, so a deploying identity with Application.ReadWrite.OwnedBy cannot change it after the first apply. Set it to the object ID of that identity's service principal (az ad sp show --id <its application ID> --query id -o tsv); with Application.ReadWrite.All it does no harm either";
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Entra's limit for an application's display name. */
const MAX_DISPLAY_NAME = 256;
/** Entra's limit for consent display names and descriptions of a permission scope. */
const MAX_CONSENT_TEXT = 1024;

/** Checks an environment file's default export into a trusted `Environment`, or lists every problem. */
export function parseEnvironment(input: unknown, source: EnvironmentSource): EnvironmentResult {
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const report: Report = (path, message) => problems.push({ file: source.file, path, message });
  const warn: Report = (path, message) => warnings.push({ file: source.file, path, message });

  if (!STACK_NAME.test(source.name)) {
    report('', `the file name "${source.name}" is used as the stack name: use letters, digits, "-" and "_" (at most 63)`);
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
  for (const field of ['tenantId', 'redirectUris', 'certificates'] as const) {
    if (raw[field] === undefined) report(field, 'is required');
  }

  const tenantId = raw.tenantId === undefined ? undefined : readGuid(raw.tenantId, 'tenantId', report, 'the tenant ID, a GUID');
  const redirectUris = raw.redirectUris === undefined ? undefined : readRedirectUris(raw.redirectUris, 'redirectUris', report, warn);
  const expiryWarningDays =
    raw.expiryWarningDays === undefined
      ? DEFAULT_EXPIRY_WARNING_DAYS
      : readInteger(raw.expiryWarningDays, 'expiryWarningDays', report, { min: 1, max: 365 });
  const certificateContext = {
    source,
    defaultCommonName: redirectUris && new URL(redirectUris[0]).hostname,
    expiryWarningDays: expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
  };
  const certificates =
    raw.certificates === undefined ? undefined : readCertificates(raw.certificates, certificateContext, report, warn);
  const displayName =
    raw.displayName === undefined
      ? DEFAULT_DISPLAY_NAME
      : readString(raw.displayName, 'displayName', report, { maxLength: MAX_DISPLAY_NAME });
  const owners = raw.owners === undefined ? [] : readOwners(raw.owners, report);
  const deployingIdentityObjectId =
    raw.deployingIdentityObjectId === undefined
      ? undefined
      : readGuid(raw.deployingIdentityObjectId, 'deployingIdentityObjectId', report, "the object ID of the deploying identity's service principal, a GUID");
  if (deployingIdentityObjectId !== undefined && deployingIdentityObjectId === tenantId) {
    report('deployingIdentityObjectId', "is the tenant ID; give the object ID of the deploying identity's service principal (Enterprise applications → restore-portal-deploy → Object ID)");
  }
  const givenScopeId = raw.scopeId === undefined ? undefined : readGuid(raw.scopeId, 'scopeId', report);
  const adoption =
    raw.adopt === undefined ? undefined : readAdoption(raw.adopt, 'adopt', { certificates, owners, scopeId: givenScopeId }, report);
  const scopeId = adoption?.scopeId ?? givenScopeId ?? uuidV5(`${source.name}/${ACCESS_AS_USER}`);
  const cloud = raw.cloud === undefined ? CLOUDS.public : mapDefined(readOneOf(raw.cloud, 'cloud', CLOUD_NAMES, report), (c) => CLOUDS[c]);
  const consentTexts = readConsentTexts(raw.consentTexts, report);
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
    warnings.push({ file: source.file, path: 'customerTenants', message: TENANT_LOCAL_STATE_WARNING });
  }

  if (problems.length > 0) return { problems, warnings };
  return {
    environment: {
      name: source.name,
      file: source.file,
      tenantId: tenantId!,
      cloud: cloud!,
      displayName: displayName!,
      redirectUris: redirectUris!,
      certificates: certificates!,
      owners: owners!,
      deployingIdentityObjectId,
      scopeId: scopeId!,
      consentTexts: consentTexts!,
      backend: backend!,
      expiryWarningDays: expiryWarningDays!,
      adoption,
      customerTenants: customerTenants!,
    },
    problems: [],
    warnings,
  };
}

function readOwners(value: unknown, report: Report): string[] | undefined {
  const list = readArray(value, 'owners', report);
  if (!list) return undefined;
  const owners: string[] = [];
  list.forEach((entry, index) => {
    const owner = readGuid(entry, fieldPath('owners', index), report, 'an object ID, a GUID');
    if (!owner) return;
    if (owners.includes(owner)) {
      report(fieldPath('owners', index), `lists ${owner} a second time; list each owner once`);
      return;
    }
    owners.push(owner);
  });
  return owners.length === list.length ? owners : undefined;
}

function readConsentTexts(value: unknown, report: Report): Required<ConsentTextsInput> | undefined {
  if (value === undefined) return { ...ARTICLE_CONSENT_TEXTS };
  const raw = readObject(value, 'consentTexts', CONSENT_TEXT_FIELDS, report);
  if (!raw) return undefined;
  const texts = { ...ARTICLE_CONSENT_TEXTS } as Record<keyof ConsentTextsInput, string>;
  let ok = true;
  for (const field of CONSENT_TEXT_FIELDS) {
    if (raw[field] === undefined) continue;
    const text = readString(raw[field], fieldPath('consentTexts', field), report, { maxLength: MAX_CONSENT_TEXT });
    if (text === undefined) ok = false;
    else texts[field] = text;
  }
  return ok ? texts : undefined;
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}
