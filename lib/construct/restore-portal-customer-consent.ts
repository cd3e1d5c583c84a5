import type { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { Construct } from 'constructs';
import { AdminConsent } from './admin-consent';
import { IMPORT_ID, readConsentGrantIds } from './adoption';
import { readGuid, readObject, type Report } from '../input/field-reader';
import { isReferenceText, refusedReferences } from '../input/terraform-reference';
import { readProvider, readTerraformName, RestorePortalAppPropsError, takenNames } from './restore-portal-app';

/** Consent a customer's admin gave already (by the admin consent URL, or Veeam's script): imported, never made again. */
export interface ExistingCustomerConsentInput {
  /** Object ID of the portal's service principal in the customer tenant (Enterprise applications → Object ID). */
  readonly servicePrincipalObjectId: string;
  /**
   * IDs of the tenant-wide grants given (`GET /oauth2PermissionGrants?$filter=clientId eq '<service principal object ID>'`).
   * @default none: the grants are created, which fails with "Permission entry already exists" if consent was given
   */
  readonly consentGrantIds?: {
    /** The grant whose resource is Microsoft Graph (scope `User.Read`). */
    readonly microsoftGraph?: string;
    /** The grant whose resource is the portal's own service principal (scope `access_as_user`). */
    readonly self?: string;
  };
}

/** What a `RestorePortalCustomerConsent` is made from. Every ID takes a Terraform reference. */
export interface RestorePortalCustomerConsentProps {
  /** The portal application's client ID: `RestorePortalApp.clientId`, or the ID itself. */
  readonly clientId: string;
  /**
   * The azuread provider of the customer's tenant (`tenantId` set to it; an `alias` when the stack holds more
   * than one tenant).
   * @default the stack's default azuread provider
   */
  readonly provider?: AzureadProvider;
  /**
   * What exists in the customer tenant already. The service principal is imported together with the grants,
   * in the same plan: a grant imported while the service principal is not in state is planned as replaced
   * (its service principal's object ID is not known yet), and the apply would delete the customer's consent.
   * @default nothing exists: the service principal is adopted if a user signed in (`use_existing`), the grants are created
   */
  readonly existing?: ExistingCustomerConsentInput;
  /** What its Terraform names start with, as `RestorePortalApp`'s. @default its id directly in a stack, its path below the stack otherwise */
  readonly terraformName?: string;
}

const FIELDS = ['clientId', 'provider', 'existing', 'terraformName'] as const satisfies readonly (keyof RestorePortalCustomerConsentProps)[];
const EXISTING_FIELDS = ['servicePrincipalObjectId', 'consentGrantIds'] as const;
const TAKES_A_REFERENCE = [/^clientId$/, /^existing\.servicePrincipalObjectId$/, /^existing\.consentGrantIds\.(microsoftGraph|self)$/];

/**
 * The portal application in a customer's tenant, what Veeam's Connect-VB365RestorePortal.ps1 does by
 * hand: its enterprise-application service principal and tenant-wide admin consent for Graph
 * `User.Read` and the portal's `access_as_user`, through the customer tenant's provider. Terraform
 * names are `<name>`, `<name>_microsoft_graph` and `<name>_self`, as `RestorePortalApp`'s.
 *
 * A customer whose admin consented before: give `existing`, and the service principal and both
 * grants are imported in one plan, the service principal first as Terraform orders them; imported
 * by hand, `importOrder` lists the addresses in the order that keeps the consent.
 *
 * @throws RestorePortalAppPropsError naming every prop that is wrong
 */
export class RestorePortalCustomerConsent extends Construct {
  /** The portal's service principal in the customer tenant (child `service-principal`), also `node.defaultChild`. */
  public readonly servicePrincipal: ServicePrincipal;
  /** Object ID of that service principal. */
  public readonly servicePrincipalObjectId: string;
  /** The two grants (child `admin-consent`): `microsoftGraphGrant` and `selfGrant`. */
  public readonly adminConsent: AdminConsent;
  /** What its Terraform names start with. */
  public readonly terraformName: string;
  /**
   * The Terraform addresses to import by hand (`terraform import <address> <ID>`), in the order that keeps
   * the customer's consent: the service principal (`/servicePrincipals/<object ID>`), then each grant
   * (`/oauth2PermissionGrants/<grant ID>`).
   */
  public readonly importOrder: readonly string[];

  constructor(scope: Construct, id: string, props: RestorePortalCustomerConsentProps) {
    super(scope, id);
    const { clientId, provider, existing, terraformName } = this.validate(props);
    this.terraformName = terraformName;

    this.servicePrincipal = new ServicePrincipal(this, 'service-principal', {
      clientId,
      // A customer whose users signed in, or whose admin used the consent URL, already has one: adopt it.
      useExisting: true,
      featureTags: [{ enterprise: true }],
      provider,
    });
    this.servicePrincipal.overrideLogicalId(terraformName);
    this.node.defaultChild = this.servicePrincipal;
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;

    this.adminConsent = new AdminConsent(this, 'admin-consent', {
      servicePrincipalObjectId: this.servicePrincipal.objectId,
      logicalIdPrefix: terraformName,
      provider,
    });
    this.importOrder = [this.servicePrincipal, this.adminConsent.microsoftGraphGrant, this.adminConsent.selfGrant].map(
      (resource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
    );

    if (existing) importExistingConsent(this.servicePrincipal, this.adminConsent, existing);

    const taken = takenNames(this);
    if (taken) throw new RestorePortalAppPropsError(this.node.path, [{ path: '', message: taken }], 'RestorePortalCustomerConsent');
    this.node.addValidation({ validate: () => [takenNames(this)].filter((problem) => problem !== undefined) });
  }

  private validate(props: RestorePortalCustomerConsentProps): {
    clientId: string;
    provider?: AzureadProvider;
    existing?: ExistingCustomerConsentInput;
    terraformName: string;
  } {
    const problems: { path: string; message: string }[] = [];
    const report: Report = (path, message) => problems.push({ path, message });
    for (const path of refusedReferences(props, (path) => TAKES_A_REFERENCE.some((pattern) => pattern.test(path)))) {
      report(path, 'is a Terraform reference (a cdktf token); this prop takes the value itself (references are taken by clientId and the IDs of existing)');
    }
    const fail = () => {
      throw new RestorePortalAppPropsError(this.node.path, problems, 'RestorePortalCustomerConsent');
    };
    if (problems.length > 0) fail();
    const raw = readObject(props, '', FIELDS, report);
    if (!raw) return fail();
    const id = (value: unknown, path: string, what: string) =>
      value === undefined ? (report(path, `is required: ${what}`), undefined) : isReferenceText(value) ? value : readGuid(value, path, report, what);
    const clientId = id(raw.clientId, 'clientId', "the portal application's client ID (RestorePortalApp.clientId), a GUID");
    const existing = raw.existing === undefined ? undefined : readExisting(raw.existing, report, id);
    const provider =
      raw.provider === undefined
        ? undefined
        : (readProvider(this, raw.provider, report, "the customer tenant's azuread provider (new AzureadProvider(stack, id, { tenantId, alias }))") as AzureadProvider | undefined);
    const terraformName = readTerraformName(this, raw.terraformName, report);
    if (problems.length > 0 || clientId === undefined || terraformName === undefined) return fail();
    return { clientId, provider, existing, terraformName };
  }
}

function readExisting(
  value: unknown,
  report: Report,
  id: (value: unknown, path: string, what: string) => string | undefined,
): ExistingCustomerConsentInput | undefined {
  const raw = readObject(value, 'existing', EXISTING_FIELDS, report);
  if (!raw) return undefined;
  const servicePrincipalObjectId = id(
    raw.servicePrincipalObjectId,
    'existing.servicePrincipalObjectId',
    'the object ID of the service principal in the customer tenant, a GUID; it is imported with the grants, which would otherwise be replaced',
  );
  const consentGrantIds = readConsentGrantIds(raw.consentGrantIds, 'existing.consentGrantIds', report, isReferenceText);
  return servicePrincipalObjectId === undefined ? undefined : { servicePrincipalObjectId, consentGrantIds };
}

/**
 * What a customer already has is imported in the plan that imports its service principal: its object
 * ID is then known while planning, and each grant's service_principal_object_id stays as it is. A grant
 * imported alone is planned against an unknown service principal and replaced, deleting the customer's
 * consent, as the real azuread 3.7.0 provider was seen to plan it.
 */
export function importExistingConsent(servicePrincipal: ServicePrincipal, consent: AdminConsent, existing: ExistingCustomerConsentInput): void {
  servicePrincipal.importFrom(IMPORT_ID.servicePrincipal(existing.servicePrincipalObjectId));
  const { microsoftGraph, self } = existing.consentGrantIds ?? {};
  if (microsoftGraph) consent.microsoftGraphGrant.importFrom(IMPORT_ID.delegatedPermissionGrant(microsoftGraph));
  if (self) consent.selfGrant.importFrom(IMPORT_ID.delegatedPermissionGrant(self));
}
