import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal';
import type { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ServicePrincipalDelegatedPermissionGrant } from '@cdktf/provider-azuread/lib/service-principal-delegated-permission-grant';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ACCESS_AS_USER, GRAPH_USER_READ_CLAIM, MICROSOFT_GRAPH_CLIENT_ID } from './well-known';

export interface AdminConsentProps {
  /** Object ID of the portal application's service principal in the tenant that consents. */
  readonly servicePrincipalObjectId: string;
  /** Logical ID prefix: the grants are `<prefix>_microsoft_graph` and `<prefix>_self`, as is Graph's lookup. */
  readonly logicalIdPrefix: string;
  /** What the `access_as_user` grant must wait for (the scope, where it is created). @default nothing */
  readonly selfConsentDependsOn?: ITerraformDependable[];
  /** The azuread provider of the tenant that consents: an aliased one, in a stack that holds several tenants. @default the stack's default */
  readonly provider?: AzureadProvider;
}

/**
 * "Grant admin consent" for all users of a tenant: Microsoft Graph `User.Read` and the portal's own
 * `access_as_user`, one grant per resource service principal (a second grant for the same pair is a
 * 409, azuread #690). Graph's service principal is looked up by its well-known client ID.
 */
export class AdminConsent extends Construct {
  /** Microsoft Graph's service principal in the tenant, looked up (child `microsoft-graph`). */
  public readonly graphServicePrincipal: DataAzureadServicePrincipal;
  /** The grant of Graph `User.Read` (child `graph-consent`). */
  public readonly microsoftGraphGrant: ServicePrincipalDelegatedPermissionGrant;
  /** The grant of the portal's own `access_as_user` (child `self-consent`). */
  public readonly selfGrant: ServicePrincipalDelegatedPermissionGrant;

  constructor(scope: Construct, id: string, props: AdminConsentProps) {
    super(scope, id);
    const provider = props.provider;
    const graph = new DataAzureadServicePrincipal(this, 'microsoft-graph', { clientId: MICROSOFT_GRAPH_CLIENT_ID, provider });
    graph.overrideLogicalId(`${props.logicalIdPrefix}_microsoft_graph`);
    this.graphServicePrincipal = graph;

    this.microsoftGraphGrant = new ServicePrincipalDelegatedPermissionGrant(this, 'graph-consent', {
      servicePrincipalObjectId: props.servicePrincipalObjectId,
      resourceServicePrincipalObjectId: graph.objectId,
      claimValues: [GRAPH_USER_READ_CLAIM],
      provider,
    });
    this.microsoftGraphGrant.overrideLogicalId(`${props.logicalIdPrefix}_microsoft_graph`);

    this.selfGrant = new ServicePrincipalDelegatedPermissionGrant(this, 'self-consent', {
      servicePrincipalObjectId: props.servicePrincipalObjectId,
      resourceServicePrincipalObjectId: props.servicePrincipalObjectId,
      claimValues: [ACCESS_AS_USER],
      dependsOn: props.selfConsentDependsOn,
      provider,
    });
    this.selfGrant.overrideLogicalId(`${props.logicalIdPrefix}_self`);
  }
}
