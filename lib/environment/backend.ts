import { isAbsolute, posix } from 'node:path';
import { INVISIBLE_OR_CONTROL } from '../process/problem';
import { describe, fieldPath, isPlainObject, readBoolean, readGuid, readObject, readOneOf, readString, type Report } from '../input/field-reader';

/** State in an Azure Storage blob container, reached with Entra ID credentials from the environment. */
export interface AzurermBackendInput {
  readonly type: 'azurerm';
  /** The storage account: 3 to 24 lower-case letters and digits. */
  readonly storageAccountName: string;
  /** The blob container in it. */
  readonly containerName: string;
  /** The blob name. @default "<environment>.tfstate" */
  readonly key?: string;
  /** Resource group of the storage account; needed only when Terraform looks up an access key. @default none */
  readonly resourceGroupName?: string;
  /** Subscription of the storage account. @default ARM_SUBSCRIPTION_ID */
  readonly subscriptionId?: string;
  /** Read and write the blob with Entra ID (Storage Blob Data Contributor) instead of an access key. @default true */
  readonly useAzureadAuth?: boolean;
  /** Sign in with the CI's OpenID Connect token. @default ARM_USE_OIDC decides */
  readonly useOidc?: boolean;
}

/** State in an HCP Terraform or Terraform Enterprise workspace; the token comes from `terraform login` or TF_TOKEN_*. */
export interface CloudBackendInput {
  readonly type: 'cloud';
  readonly organization: string;
  readonly workspace: string;
  /** Terraform Enterprise's host name. @default "app.terraform.io" (HCP Terraform) */
  readonly hostname?: string;
}

/** State in a file on the machine that runs Terraform: for trying things out, not for a team. */
export interface LocalBackendInput {
  readonly type: 'local';
  /** The state file, relative to the project root. @default "terraform.<environment>.tfstate" */
  readonly path?: string;
}

/** Where an environment's Terraform state lives. */
export type BackendInput = AzurermBackendInput | CloudBackendInput | LocalBackendInput;

/** A validated backend: every default applied. */
export type Backend =
  | {
      readonly type: 'azurerm';
      readonly storageAccountName: string;
      readonly containerName: string;
      readonly key: string;
      readonly resourceGroupName?: string;
      readonly subscriptionId?: string;
      readonly useAzureadAuth: boolean;
      readonly useOidc?: boolean;
    }
  | { readonly type: 'cloud'; readonly organization: string; readonly workspace: string; readonly hostname?: string }
  | { readonly type: 'local'; readonly path: string };

const BACKEND_TYPES = ['azurerm', 'cloud', 'local'] as const;
const FIELDS: Record<Backend['type'], readonly string[]> = {
  azurerm: ['type', 'storageAccountName', 'containerName', 'key', 'resourceGroupName', 'subscriptionId', 'useAzureadAuth', 'useOidc'],
  cloud: ['type', 'organization', 'workspace', 'hostname'],
  local: ['type', 'path'],
};

/**
 * Credentials Terraform's backends accept in their configuration. An environment file is committed,
 * and the backend block is copied verbatim into cdktf.out, so these must come from the environment.
 */
const SECRET_FIELDS: Record<string, string> = {
  accesskey: 'ARM_ACCESS_KEY, or better leave useAzureadAuth on',
  sastoken: 'ARM_SAS_TOKEN, or better leave useAzureadAuth on',
  clientsecret: 'ARM_CLIENT_SECRET, or better OIDC (ARM_USE_OIDC=true)',
  clientcertificatepassword: 'ARM_CLIENT_CERTIFICATE_PASSWORD',
  oidctoken: 'ARM_OIDC_TOKEN, or let the CI provide it (ARM_USE_OIDC=true)',
  oidcrequesttoken: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN, which GitHub sets itself',
  token: 'TF_TOKEN_<host> or `terraform login`',
  password: 'the environment of the machine that runs Terraform',
};

/** Azure's naming rules for storage accounts and blob containers. */
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;
const HOSTNAME = /^[a-z0-9.-]+(:\d+)?$/i;
/** Azure's rule for resource group names: letters, digits, "_", "(", ")", "-", "." (not last), 1 to 90. */
const RESOURCE_GROUP = /^[\p{L}\p{N}_().-]{0,89}[\p{L}\p{N}_()-]$/u;

/** HCP Terraform's host: where a cloud backend without `hostname` keeps its state. */
export const HCP_TERRAFORM_HOST = 'app.terraform.io';

/**
 * The environment variable Terraform takes a cloud backend's API token from: `TF_TOKEN_` and the host
 * with "." written "_" and "-" written "__" (Terraform's encoding, internal/command/cliconfig), so
 * `TF_TOKEN_app_terraform_io`. Undefined for other backends, and for a host with a port, which no
 * variable name can carry (such a host takes its token from `terraform login` only).
 */
export function tokenVariable(backend: Backend): string | undefined {
  if (backend.type !== 'cloud') return undefined;
  const host = (backend.hostname ?? HCP_TERRAFORM_HOST).toLowerCase();
  if (host.includes(':')) return undefined;
  return `TF_TOKEN_${host.replace(/-/g, '__').replace(/\./g, '_')}`;
}

/** The backend of an environment that names none: local state in the project root. */
export function defaultBackend(environmentName: string): Backend {
  return { type: 'local', path: defaultStatePath(environmentName) };
}

function defaultStatePath(environmentName: string): string {
  return `terraform.${environmentName}.tfstate`;
}

/** Checks the `backend` field of an environment file; reports every problem under `backend.*`. */
export function readBackend(value: unknown, environmentName: string, report: Report): Backend | undefined {
  if (value === undefined) return defaultBackend(environmentName);
  let failed = false;
  const note: Report = (path, message) => {
    failed = true;
    report(path, message);
  };
  const at = (field: string) => fieldPath('backend', field);
  if (!isPlainObject(value)) {
    note('backend', `must be an object with a type (${BACKEND_TYPES.map((t) => `"${t}"`).join(', ')}); got ${describe(value)}`);
    return undefined;
  }
  const type = readOneOf(value.type, at('type'), BACKEND_TYPES, note);
  if (!type) return undefined;

  const rest: Record<string, unknown> = Object.create(null);
  for (const [key, field] of Object.entries(value)) {
    const normalized = key.replace(/_/g, '').toLowerCase();
    // Own properties only: "constructor" is not a secret field, whatever Object.prototype says.
    const from = Object.hasOwn(SECRET_FIELDS, normalized) ? SECRET_FIELDS[normalized] : undefined;
    if (from) note(at(key), `is a secret and must not be in an environment file (it is committed and copied into cdktf.out); set it through ${from}`);
    else rest[key] = field;
  }
  const raw = readObject(rest, 'backend', FIELDS[type], note)!;
  const optional = <T>(field: string, read: (value: unknown, path: string) => T | undefined): T | undefined =>
    raw[field] === undefined ? undefined : read(raw[field], at(field));

  let backend: Backend;
  switch (type) {
    case 'azurerm':
      backend = {
        type,
        storageAccountName: readPattern(raw.storageAccountName, at('storageAccountName'), STORAGE_ACCOUNT, '3 to 24 lower-case letters and digits', note)!,
        containerName: readPattern(raw.containerName, at('containerName'), CONTAINER, '3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit', note)!,
        key: optional('key', (v, p) => readBlobName(readString(v, p, note, { maxLength: 1024 }), p, note)) ?? `${environmentName}.tfstate`,
        resourceGroupName: optional('resourceGroupName', (v, p) =>
          readPattern(v, p, RESOURCE_GROUP, 'a resource group name: 1 to 90 letters, digits and _ ( ) - ., not ending in "."', note),
        ),
        subscriptionId: optional('subscriptionId', (v, p) => readGuid(v, p, note, 'a subscription ID, a GUID')),
        useAzureadAuth: optional('useAzureadAuth', (v, p) => readBoolean(v, p, note)) ?? true,
        useOidc: optional('useOidc', (v, p) => readBoolean(v, p, note)),
      };
      break;
    case 'cloud':
      backend = {
        type,
        organization: readString(raw.organization, at('organization'), note)!,
        workspace: readString(raw.workspace, at('workspace'), note)!,
        hostname: optional('hostname', (v, p) => readPattern(v, p, HOSTNAME, 'a host name without scheme or path, e.g. "tfe.example.com"', note)),
      };
      break;
    case 'local':
      backend = { type, path: optional('path', (v, p) => readRelativePath(v, p, note)) ?? defaultStatePath(environmentName) };
      break;
  }
  for (const [field, text] of Object.entries(backend)) {
    if (field === 'type' || typeof text !== 'string') continue;
    // Terraform reads a backend block literally, but customer tenant stacks copy these values into a
    // terraform_remote_state data source, whose arguments it evaluates as templates: `${file(...)}` would
    // run on the machine that plans, and no escape reads the same in both places.
    if (/\$\{|%\{/.test(text)) note(at(field), `must not contain "\${" or "%{" (Terraform would evaluate it where customer tenant stacks read this state); got ${describe(text)}`);
    // Terraform's init and apply print these (in CI logs too), where a line break would start a line of its own.
    if (INVISIBLE_OR_CONTROL.test(text)) note(at(field), `must not contain control or invisible characters (line breaks, tabs, direction overrides); got ${describe(text)}`);
  }
  return failed ? undefined : backend;
}

function readPattern(value: unknown, path: string, pattern: RegExp, what: string, report: Report): string | undefined {
  if (typeof value === 'string' && pattern.test(value)) return value;
  report(path, `must be ${what}; got ${describe(value)}`);
  return undefined;
}

/**
 * A blob name as Azure Storage keeps it: parts separated by "/", none empty, "." or "..", or ending in
 * "." (Azure's naming rules), and no backslash. The service reads those as another name (a backslash as "/",
 * a dot part away), so two keys spelt differently could be one state, which the check that no two stacks
 * share a state could not see.
 */
function readBlobName(name: string | undefined, path: string, report: Report): string | undefined {
  if (name === undefined) return undefined;
  if (name.includes('\\') || name.split('/').some((part) => part === '' || part.endsWith('.'))) {
    report(path, `must be a blob name of parts separated by "/", none of them empty, "." or "..", or ending in ".", and without "\\" (Azure Storage reads those as another name); got ${describe(name)}`);
    return undefined;
  }
  return name;
}

function readRelativePath(value: unknown, path: string, report: Report): string | undefined {
  const file = readString(value, path, report);
  if (file !== undefined && isAbsolute(file)) {
    report(path, `must be relative to the project root (an absolute path would be written into cdktf.out); got ${describe(file)}`);
    return undefined;
  }
  // The state holds the private keys of self-signed certificates: it stays in the project, whose
  // .gitignore keeps it out of git, wherever a pull request would like it written.
  if (file !== undefined && /^\.\.(\/|$)/.test(posix.normalize(file.replace(/\\/g, '/')))) {
    report(path, `must stay inside the project root; got ${describe(file)}`);
    return undefined;
  }
  // .gitignore keeps *.tfstate (and Terraform's *.tfstate.backup) out of git: a state under any other name
  // would be committed with the keys in it. Lower case, as customer tenant stacks insert -tenant-<name> before it.
  if (file !== undefined && !file.endsWith('.tfstate')) {
    report(path, `must name a file ending in .tfstate (the state holds self-signed certificates' private keys, and .gitignore keeps *.tfstate out of git); got ${describe(file)}`);
    return undefined;
  }
  return file;
}
