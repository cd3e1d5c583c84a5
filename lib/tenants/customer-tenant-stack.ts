import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AdminConsent } from '../construct/admin-consent';
import { importExistingConsent } from '../construct/restore-portal-customer-consent';
import { applyBackend, type StackPaths } from '../synthesis/stack-backend';
import type { CustomerTenant } from './customer-tenant';
import type { Environment } from '../environment/environment';
import { adminConsentUrl } from '../construct/vb365';

export interface CustomerTenantStackProps {
  /** The environment whose application the customer's users sign in to. */
  readonly environment: Environment;
  /** The customer tenant this stack onboards. */
  readonly tenant: CustomerTenant;
  /**
   * The application's client ID, as the environment stack's `RestorePortalApp.clientId`: a reference
   * into another stack, which cdktf turns into an output there and a remote state read here.
   */
  readonly clientId: string;
  /** Folder the stack's Terraform runs in and the project root, as for the environment's stack. */
  readonly paths: StackPaths;
}

/**
 * One customer tenant of a service provider: the portal application's service principal in that
 * tenant and tenant-wide admin consent for `User.Read` and `access_as_user`, what Veeam's
 * Connect-VB365RestorePortal.ps1 does by hand. Its own stack, so that it has its own provider
 * (pinned to the customer tenant), its own state and its own credentials, and so that removing a
 * customer touches no other stack. Addresses match the environment stack's (`portal`,
 * `portal_microsoft_graph`, `portal_self`).
 */
export class CustomerTenantStack extends TerraformStack {
  /** Object ID of the portal's service principal in the customer tenant. */
  public readonly servicePrincipalObjectId: string;

  constructor(scope: Construct, props: CustomerTenantStackProps) {
    const { environment: env, tenant } = props;
    super(scope, tenant.stackName);

    // Credentials come from ARM_* variables, OIDC or the Azure CLI at plan time; tenant_id picks the customer's directory.
    new AzureadProvider(this, 'azuread', { tenantId: tenant.tenantId, environment: env.cloud.providerEnvironment });
    applyBackend(this, tenant.backend, props.paths);

    const servicePrincipal = new ServicePrincipal(this, 'service-principal', {
      clientId: props.clientId,
      // A customer whose users signed in, or whose admin used the consent URL, already has one: adopt it.
      useExisting: true,
      featureTags: [{ enterprise: true }],
    });
    servicePrincipal.overrideLogicalId('portal');
    this.servicePrincipalObjectId = servicePrincipal.objectId;

    // Admin consent for all principals, as in the environment's own tenant.
    const consent = new AdminConsent(this, 'admin-consent', { servicePrincipalObjectId: servicePrincipal.objectId, logicalIdPrefix: 'portal' });

    // What the customer already has is imported with its service principal, in one plan.
    if (tenant.adoption) importExistingConsent(servicePrincipal, consent, tenant.adoption);

    const output = (id: string, value: unknown, description: string) =>
      new TerraformOutput(this, id, { value, description }).overrideLogicalId(id);
    output('tenant_id', tenant.tenantId, 'Customer tenant onboarded by this stack');
    output('service_principal_object_id', servicePrincipal.objectId, "Object ID of the portal's service principal (Enterprise application) in the customer tenant");
    output(
      'admin_consent_url',
      adminConsentUrl(env.cloud, props.clientId, tenant.tenantId),
      "Admin consent URL for this customer tenant, for a customer admin who consents without this stack",
    );
  }
}
