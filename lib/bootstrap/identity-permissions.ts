import type { Environment } from '../environment/environment';

/**
 * What the two CI identities may do, and where. Microsoft Graph application permissions (app roles)
 * by the IDs Microsoft publishes, the same in every tenant (Microsoft Graph permissions reference,
 * learn.microsoft.com/graph/permissions-reference), and the Azure roles on the state container.
 */
export const GRAPH_APP_ROLES = {
  /** Reads the application, its service principal and the admin consent grants (Application.Read.All cannot read the grants), and the owners the deploying identity adds. */
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  /** Looks up Microsoft Graph's service principal. */
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  /** Creates applications and changes those it owns. */
  'Application.ReadWrite.OwnedBy': '18a4783c-866b-4cc7-a460-3d5e5662c884',
  /** Changes every application and service principal. */
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  /** Grants and revokes admin consent (the portal's two delegated permission grants). */
  'DelegatedPermissionGrant.ReadWrite.All': '8e8e4742-1d95-4f68-9d56-6ee75648c72a',
} as const;

export type GraphAppRole = keyof typeof GRAPH_APP_ROLES;

/** Azure's built-in roles on the state container. */
export const STORAGE_BLOB_DATA_READER = 'Storage Blob Data Reader';
export const STORAGE_BLOB_DATA_CONTRIBUTOR = 'Storage Blob Data Contributor';

/** The plan identity reads, wherever it plans: it runs every pull request's code. */
export const PLAN_ROLES: readonly GraphAppRole[] = ['Directory.Read.All'];

/**
 * In an environment's own tenant the plan identity also audits the application (`npm run audit` in
 * drift.yml), whose federated credentials Graph lists with Application.Read.All only.
 */
export const PLAN_ROLES_AT_HOME: readonly GraphAppRole[] = [...PLAN_ROLES, 'Application.Read.All'];

/**
 * The deploying identity in an environment's own tenant: it creates the registration (and so owns
 * it), changes what it owns and grants the portal's admin consent. An environment with `owners`
 * adds owners to the registration and its service principal, which Graph allows only with
 * Application.ReadWrite.All and Directory.Read.All: it reads the directory object each owner
 * reference names, and an application permission on applications reads no user (Microsoft Graph,
 * "Add owner" of application and of servicePrincipal, v1.0; terraform-provider-azuread #703).
 */
export function deployRolesAtHome(environment: Pick<Environment, 'owners'>): GraphAppRole[] {
  if (environment.owners.length === 0) return ['Application.ReadWrite.OwnedBy', 'DelegatedPermissionGrant.ReadWrite.All', 'Application.Read.All'];
  return ['Application.ReadWrite.All', 'Directory.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Application.Read.All'];
}

/**
 * The deploying identity in a customer tenant: the azuread provider removes the creating identity
 * from the service principal's owners (tenant stacks name none), so OwnedBy could not change or
 * adopt it; Application.ReadWrite.All includes Application.Read.All.
 */
export const DEPLOY_ROLES_AT_CUSTOMER: readonly GraphAppRole[] = ['Application.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All'];

/** Roles once each, in a fixed order. */
export function orderedRoles(roles: Iterable<GraphAppRole>): GraphAppRole[] {
  const set = new Set(roles);
  return (Object.keys(GRAPH_APP_ROLES) as GraphAppRole[]).filter((role) => set.has(role));
}

/** What a tenant is granted: the roles without those a broader one of them already gives. */
export function withoutImplied(roles: Iterable<GraphAppRole>): GraphAppRole[] {
  const set = new Set(roles);
  if (set.has('Application.ReadWrite.All')) {
    set.delete('Application.ReadWrite.OwnedBy');
    set.delete('Application.Read.All');
  }
  return orderedRoles(set);
}
