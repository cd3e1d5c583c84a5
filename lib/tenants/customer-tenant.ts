import type { Backend } from '../environment/backend';
import { readConsentGrantIds } from '../construct/adoption';
import { fieldPath, readArray, readGuid, readObject, readString, type Report } from '../input/field-reader';

/** A customer organisation whose users sign in to the service provider's Restore Portal. */
export interface CustomerTenantInput {
  /** Short name of the customer: letters, digits, "-" and "_"; part of the stack name `<environment>-tenant-<name>`. */
  readonly name: string;
  /** The customer's tenant (directory) ID; the tenant stack's provider is pinned to it. */
  readonly tenantId: string;
  /**
   * The portal's service principal and admin consent the customer already has (its admin consented by
   * URL, or ran Veeam's Connect-VB365RestorePortal.ps1): imported, so that applying keeps them.
   * @default none: the service principal is adopted if there is one, the grants are created (and fail with
   * "Permission entry already exists" where consent was given)
   */
  readonly adopt?: CustomerTenantAdoptInput;
}

/** What a customer tenant already has of the portal, found in that tenant (see docs/service-providers.md). */
export interface CustomerTenantAdoptInput {
  /** Object ID of the portal's service principal there (Enterprise applications > the Restore Portal > Object ID). */
  readonly servicePrincipalObjectId: string;
  /** IDs of its admin consent grants there (oauth2PermissionGrants whose clientId is that service principal). @default none */
  readonly consentGrantIds?: {
    /** The grant whose resource is Microsoft Graph (scope `User.Read`). */
    readonly microsoftGraph?: string;
    /** The grant whose resource is the portal's service principal itself (scope `access_as_user`). */
    readonly self?: string;
  };
}

/**
 * A validated `adopt` of a customer tenant. The grants come only with the service principal they
 * belong to: imported without it, a grant's service principal is unknown until apply, and Terraform
 * replaces the grant, deleting the customer's consent.
 */
export interface CustomerTenantAdoption {
  readonly servicePrincipalObjectId: string;
  readonly consentGrantIds: { readonly microsoftGraph?: string; readonly self?: string };
}

/** A validated customer tenant, with the stack that onboards it and where that stack keeps its state. */
export interface CustomerTenant {
  readonly name: string;
  readonly tenantId: string;
  /** `<environment>-tenant-<name>`: the Terraform stack, its folder in cdktf.out and its `cdktf deploy` argument. */
  readonly stackName: string;
  /** The environment's backend with this stack's own state (key, file or workspace). */
  readonly backend: Backend;
  /** What the tenant already has and the stack imports. @default nothing: created */
  readonly adoption?: CustomerTenantAdoption;
}

/** What marks a stack as a customer tenant's; environment names may not contain it, so stack names never collide. */
export const TENANT_STACK_MARKER = '-tenant-';

/** The stack name of a customer tenant of an environment. */
export function tenantStackName(environmentName: string, tenantName: string): string {
  return `${environmentName}${TENANT_STACK_MARKER}${tenantName}`;
}

const FIELDS = ['name', 'tenantId', 'adopt'] as const satisfies readonly (keyof CustomerTenantInput)[];
const ADOPT_FIELDS = ['servicePrincipalObjectId', 'consentGrantIds'] as const satisfies readonly (keyof CustomerTenantAdoptInput)[];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** The same limit as environment names: stack folders, GitHub environments and state keys take it. */
const MAX_STACK_NAME = 63;
/** HCP Terraform's limit for workspace names. */
const MAX_WORKSPACE_NAME = 90;

/**
 * Checks `customerTenants` of an environment; reports under `customerTenants[i].*`. Names are
 * compared without case: on Windows and macOS two stacks differing only in case share one folder.
 */
export function readCustomerTenants(
  value: unknown,
  home: { readonly name: string; readonly tenantId?: string; readonly backend?: Backend },
  report: Report,
): CustomerTenant[] | undefined {
  if (value === undefined) return [];
  const list = readArray(value, 'customerTenants', report);
  if (!list) return undefined;
  const tenants: CustomerTenant[] = [];
  const names = new Map<string, number>();
  const tenantIds = new Map<string, number>();
  let failed = false;
  const note: Report = (path, message) => {
    failed = true;
    report(path, message);
  };
  list.forEach((entry, index) => {
    const path = fieldPath('customerTenants', index);
    const raw = readObject(entry, path, FIELDS, note);
    if (!raw) return;
    const name = readTenantName(raw.name, fieldPath(path, 'name'), home, note);
    const tenantId = readGuid(raw.tenantId, fieldPath(path, 'tenantId'), note, "the customer's tenant ID, a GUID");
    const adoption = raw.adopt === undefined ? undefined : readTenantAdoption(raw.adopt, fieldPath(path, 'adopt'), note);
    if (name !== undefined) {
      const first = names.get(name.toLowerCase());
      if (first !== undefined) note(fieldPath(path, 'name'), `"${name}" is already the name of customerTenants[${first}]; give each customer tenant its own name`);
      else names.set(name.toLowerCase(), index);
    }
    if (tenantId !== undefined) {
      const first = tenantIds.get(tenantId);
      if (tenantId === home.tenantId) {
        note(fieldPath(path, 'tenantId'), "is the environment's own tenant (tenantId): its stack already creates the service principal and admin consent there; list only customer tenants");
      } else if (first !== undefined) {
        note(fieldPath(path, 'tenantId'), `${tenantId} is already listed as customerTenants[${first}]; list each customer tenant once`);
      } else {
        tenantIds.set(tenantId, index);
      }
    }
    if (name === undefined || tenantId === undefined || !home.backend) return;
    const stackName = tenantStackName(home.name, name);
    const backend = tenantBackend(home.backend, name);
    if (backend.type === 'cloud' && backend.workspace.length > MAX_WORKSPACE_NAME) {
      note(fieldPath(path, 'name'), `makes the HCP Terraform workspace name "${backend.workspace}" longer than ${MAX_WORKSPACE_NAME} characters; use a shorter name`);
      return;
    }
    tenants.push({ name, tenantId, stackName, backend, ...(adoption ? { adoption } : {}) });
  });
  return failed ? undefined : tenants;
}

function readTenantAdoption(value: unknown, path: string, report: Report): CustomerTenantAdoption | undefined {
  const raw = readObject(value, path, ADOPT_FIELDS, report);
  if (!raw) return undefined;
  if (raw.servicePrincipalObjectId === undefined) {
    report(fieldPath(path, 'servicePrincipalObjectId'), "is required: the grants are imported with the service principal they belong to (without it, Terraform would replace them and delete the customer's consent)");
    return undefined;
  }
  const servicePrincipalObjectId = readGuid(raw.servicePrincipalObjectId, fieldPath(path, 'servicePrincipalObjectId'), report, "the object ID of the portal's service principal in the customer tenant, a GUID");
  const consentGrantIds = readConsentGrantIds(raw.consentGrantIds, fieldPath(path, 'consentGrantIds'), report);
  return servicePrincipalObjectId === undefined ? undefined : { servicePrincipalObjectId, consentGrantIds };
}

function readTenantName(value: unknown, path: string, home: { readonly name: string }, report: Report): string | undefined {
  const name = readString(value, path, report);
  if (name === undefined) return undefined;
  const stackName = tenantStackName(home.name, name);
  if (!NAME.test(name)) {
    report(path, `is part of the stack name "${stackName}": use letters, digits, "-" and "_", starting with a letter or digit; got ${JSON.stringify(name)}`);
    return undefined;
  }
  if (stackName.length > MAX_STACK_NAME) {
    report(path, `makes the stack name "${stackName}" ${stackName.length} characters long; stack names have at most ${MAX_STACK_NAME}`);
    return undefined;
  }
  return name;
}

/**
 * The state of a tenant stack, next to the environment's own: a blob key or a local file with
 * `-tenant-<name>` before `.tfstate`, or a workspace `<workspace>-tenant-<name>` (HCP Terraform
 * keeps one state per workspace).
 */
export function tenantBackend(backend: Backend, tenantName: string): Backend {
  const suffix = `${TENANT_STACK_MARKER}${tenantName}`;
  const beforeExtension = (path: string) => (path.endsWith('.tfstate') ? `${path.slice(0, -'.tfstate'.length)}${suffix}.tfstate` : `${path}${suffix}`);
  switch (backend.type) {
    case 'azurerm':
      return { ...backend, key: beforeExtension(backend.key) };
    case 'local':
      return { ...backend, path: beforeExtension(backend.path) };
    case 'cloud':
      return { ...backend, workspace: `${backend.workspace}${suffix}` };
  }
}
