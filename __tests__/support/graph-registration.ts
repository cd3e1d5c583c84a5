import { randomUUID, X509Certificate } from 'node:crypto';
import type { Environment } from '../../lib/environment/environment';
import type { GraphIdentity } from '../../lib/audit/graph-credentials';
import { GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../../lib/construct/well-known';
import { GRAPH_SERVICE_PRINCIPAL_APP_ID, type GraphDouble, type Json } from './graph-double';

/**
 * What Graph holds once an environment is applied with the azuread provider: the registration, its
 * service principal, owners and admin consent at home, and the service principal and admin consent in
 * each customer tenant, written out by hand as Graph returns them (not made by the code under test).
 */
export interface AppliedRegistration {
  readonly clientId: string;
  readonly application: Json;
  readonly servicePrincipal: Json;
  /** The service principal in each customer tenant, by the customer's name. */
  readonly customers: Map<string, { readonly tenantId: string; readonly servicePrincipal: Json }>;
}

/** A certificate's key credential as Graph returns it with $select=keyCredentials. */
export function keyCredential(pem: string, keyId = randomUUID()): Json {
  const x509 = new X509Certificate(pem);
  return {
    customKeyIdentifier: Buffer.from(x509.fingerprint.replace(/:/g, ''), 'hex').toString('base64'),
    displayName: `CN=${x509.subject.replace(/^CN=/, '')}`,
    endDateTime: new Date(x509.validTo).toISOString(),
    key: x509.raw.toString('base64'),
    keyId,
    startDateTime: new Date(x509.validFrom).toISOString(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}

/** A directory object as an owners list holds it. */
export function ownerObject(id: string, kind: 'user' | 'servicePrincipal' = 'user', displayName = 'Restore Portal owner'): Json {
  return kind === 'user'
    ? { '@odata.type': '#microsoft.graph.user', id, displayName, userPrincipalName: `${displayName.replace(/\W/g, '').toLowerCase()}@contoso.example` }
    : { '@odata.type': '#microsoft.graph.servicePrincipal', id, displayName, appId: randomUUID() };
}

/** Puts the applied registration of `env` into the double; `selfSigned` gives self-signed certificates' PEM by name. */
export function applyRegistration(double: GraphDouble, env: Environment, options: { clientId: string; selfSigned?: Record<string, string> }): AppliedRegistration {
  const { clientId } = options;
  const home = double.tenant(env.tenantId);
  const keyCredentials = env.certificates.map((c) => keyCredential(c.source === 'file' ? c.pem : options.selfSigned![c.name]));
  const application: Json = {
    id: randomUUID(),
    appId: clientId,
    displayName: env.displayName,
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: [`api://${clientId}`],
    isFallbackPublicClient: true,
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: 1,
      oauth2PermissionScopes: [
        {
          ...env.consentTexts,
          id: env.scopeId,
          isEnabled: true,
          type: 'Admin',
          value: 'access_as_user',
        },
      ],
      preAuthorizedApplications: [{ appId: clientId, delegatedPermissionIds: [env.scopeId] }],
    },
    appRoles: [],
    requiredResourceAccess: [
      { resourceAppId: MICROSOFT_GRAPH_CLIENT_ID, resourceAccess: [{ id: GRAPH_USER_READ_SCOPE_ID, type: 'Scope' }] },
      { resourceAppId: clientId, resourceAccess: [{ id: env.scopeId, type: 'Scope' }] },
    ],
    web: { homePageUrl: null, logoutUrl: null, redirectUris: [], implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false } },
    spa: { redirectUris: [...env.redirectUris] },
    publicClient: { redirectUris: [] },
    keyCredentials,
    passwordCredentials: [],
  };
  home.applications.push(application);
  const deployer = env.deployingIdentityObjectId;
  const owners = [...(deployer ? [ownerObject(deployer, 'servicePrincipal', 'restore-portal-deploy')] : []), ...env.owners.map((id) => ownerObject(id))];
  home.owners.set(application.id as string, owners);
  const servicePrincipal = consentedServicePrincipal(double, env.tenantId, clientId, env.displayName);
  home.owners.set(servicePrincipal.id as string, [...owners]);
  const customers = new Map(
    env.customerTenants.map((t) => [t.name, { tenantId: t.tenantId, servicePrincipal: consentedServicePrincipal(double, t.tenantId, clientId, env.displayName) }]),
  );
  return { clientId, application, servicePrincipal, customers };
}

/** The service principal `azuread_service_principal` makes, with the two admin consent grants of AdminConsent. */
function consentedServicePrincipal(double: GraphDouble, tenantId: string, clientId: string, displayName: string): Json {
  const tenant = double.tenant(tenantId);
  const servicePrincipal: Json = {
    id: randomUUID(),
    appId: clientId,
    displayName,
    accountEnabled: true,
    appRoleAssignmentRequired: false,
    servicePrincipalType: 'Application',
    tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
    keyCredentials: [],
    passwordCredentials: [],
  };
  tenant.servicePrincipals.push(servicePrincipal);
  const graph = tenant.servicePrincipals.find((sp) => sp.appId === GRAPH_SERVICE_PRINCIPAL_APP_ID)!;
  tenant.grants.push(
    { id: grantId(), clientId: servicePrincipal.id, consentType: 'AllPrincipals', principalId: null, resourceId: graph.id, scope: 'User.Read' },
    { id: grantId(), clientId: servicePrincipal.id, consentType: 'AllPrincipals', principalId: null, resourceId: servicePrincipal.id, scope: 'access_as_user' },
  );
  return servicePrincipal;
}

/** Graph's grant and assignment IDs are base64url, not GUIDs. */
export function grantId(): string {
  return Buffer.from(randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** The identity in-process tests sign in with: the double's token for each tenant, no authority involved. */
export function doubleIdentity(double: GraphDouble): GraphIdentity {
  return { description: 'test double identity', token: async (tenantId) => double.tokenFor(tenantId) };
}
