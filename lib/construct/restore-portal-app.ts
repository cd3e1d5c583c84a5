import { ApplicationApiAccess } from '@cdktf/provider-azuread/lib/application-api-access';
import { ApplicationCertificate } from '@cdktf/provider-azuread/lib/application-certificate';
import { ApplicationFallbackPublicClient } from '@cdktf/provider-azuread/lib/application-fallback-public-client';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri';
import { ApplicationOwner } from '@cdktf/provider-azuread/lib/application-owner';
import { ApplicationPermissionScope } from '@cdktf/provider-azuread/lib/application-permission-scope';
import { ApplicationPreAuthorized } from '@cdktf/provider-azuread/lib/application-pre-authorized';
import { ApplicationRedirectUris } from '@cdktf/provider-azuread/lib/application-redirect-uris';
import { ApplicationRegistration } from '@cdktf/provider-azuread/lib/application-registration';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { Annotations, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { AdminConsent } from './admin-consent';
import { formatDate, type Certificate } from '../certificates/certificate';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/certificate-expiry';
import { adoptionImports } from './adoption';
import { uuidV5 } from './deterministic-uuid';
import { describe, fieldPath, readObject, readString, type Report } from '../input/field-reader';
import {
  PROPS_FIELDS,
  readRestorePortalAppProps,
  type RestorePortalAppProps,
  type RestorePortalAppSettings,
} from './restore-portal-app-props';
import { terraformLiteral } from '../process/terraform-literal';
import { TlsSelfSignedCertificate } from './tls-self-signed-certificate';
import { adminConsentUrl, newestCertificate, restorePortalSettingsCommand } from './vb365';
import { ACCESS_AS_USER, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from './well-known';
import { escapeControlCharacters } from '../process/problem';

/** One key credential of the application, for outputs and for the VB365 command. */
export interface KeyCredential {
  /** The certificate as the props gave it, checked. */
  readonly certificate: Certificate;
  /** SHA-1 thumbprint in upper-case hex, as VB365 and Windows show it. */
  readonly thumbprint: string;
  /** End of validity, RFC 3339. */
  readonly notAfter: string;
}

/** What is wrong with a `RestorePortalApp`'s props: every problem, each by prop path. */
export class RestorePortalAppPropsError extends Error {
  constructor(
    /** The construct's path in the app. */
    readonly constructPath: string,
    /** Each problem: the prop path (`redirectUris[0]`; empty for the construct as a whole) and what is wrong. */
    readonly problems: readonly { readonly path: string; readonly message: string }[],
  ) {
    // One line per problem: a line break or direction override in a prop value is shown escaped.
    super(problems.map((p) => escapeControlCharacters(`RestorePortalApp ${constructPath}: ${p.path ? `${p.path}: ` : ''}${p.message}`)).join('\n'));
    this.name = 'RestorePortalAppPropsError';
  }
}

/**
 * The Entra ID application the VB365 Restore Portal signs users in with, built from azuread's
 * granular resources (never mixed with `azuread_application`, whose inline blocks fight them):
 * the multitenant registration, its `api://<client id>` identifier, the `access_as_user` scope
 * pre-authorized for itself, SPA redirect URIs, public client flows, access to Graph `User.Read`
 * and its own scope, the enterprise-application service principal, tenant-wide admin consent,
 * and one key credential per certificate.
 *
 * Terraform addresses are `<type>.<id>` plus a suffix (`azuread_application_api_access.<id>_microsoft_graph`),
 * so plans read plainly and import IDs are easy to match. The stack configures the azuread provider
 * (and the tls provider when a certificate is self-signed).
 *
 * @throws RestorePortalAppPropsError naming every prop that Entra or VB365 would reject
 */
export class RestorePortalApp extends Construct {
  /** Application (client) ID: what VB365's `-ApplicationId` and every consent URL take. */
  public readonly clientId: string;
  /** Object ID of the application registration. */
  public readonly applicationObjectId: string;
  /** Object ID of the service principal in the home tenant. */
  public readonly servicePrincipalObjectId: string;
  /** ID of the `access_as_user` scope; fixed by the props, never recomputed by Entra. */
  public readonly scopeId: string;
  /** `api://<client id>`, the identifier URI Entra proposes and VB365 expects. */
  public readonly identifierUri: string;
  /** The key credential of each certificate, by thumbprint (file) or name (self-signed). */
  public readonly certificates: ReadonlyMap<string, ApplicationCertificate>;
  /**
   * Thumbprint and expiry (RFC 3339) of each certificate, in the props' order: values for
   * files, Terraform references for self-signed certificates, which exist once Terraform made them.
   */
  public readonly keyCredentials: readonly KeyCredential[];
  /** The tls resources of each self-signed certificate, by name. */
  public readonly selfSignedCertificates: ReadonlyMap<string, TlsSelfSignedCertificate>;
  /** The admin consent URL a customer tenant's admin opens to consent for their organisation. */
  public readonly adminConsentUrl: string;
  /** The PowerShell (`Set-VBORestorePortalSettings`) that points VB365's Restore Portal at this application. */
  public readonly restorePortalSettingsCommand: string;

  /**
   * @param scope the stack, or a construct in it, that holds the application
   * @param id names its Terraform resources (`azuread_application_registration.<id>`): unique among the stack's resource names
   * @param props what the application is made from
   */
  constructor(scope: Construct, id: string, props: RestorePortalAppProps) {
    super(scope, id);
    const { settings, notes, provider } = this.validate(props);
    const name = (suffix?: string) => (suffix ? `${id}_${suffix}` : id);

    const registration = new ApplicationRegistration(this, 'registration', {
      displayName: terraformLiteral(settings.displayName),
      signInAudience: 'AzureADMultipleOrgs',
      implicitAccessTokenIssuanceEnabled: false,
      implicitIdTokenIssuanceEnabled: false,
      // VB365 validates v1 tokens; the granular resource defaults to 2, the portal's manifest leaves null (= 1).
      requestedAccessTokenVersion: 1,
      notes: terraformLiteral(notes),
      // Recreating the registration changes the Application ID and breaks every VB365 server using it.
      lifecycle: { preventDestroy: true },
    });
    registration.overrideLogicalId(name());
    const applicationId = registration.id;
    this.clientId = registration.clientId;
    this.applicationObjectId = registration.objectId;
    this.scopeId = settings.scopeId;
    this.identifierUri = `api://${registration.clientId}`;

    // A separate resource: `api://${client_id}` inside the registration itself is a cycle (azuread #428, #905).
    new ApplicationIdentifierUri(this, 'identifier-uri', {
      applicationId,
      identifierUri: this.identifierUri,
    }).overrideLogicalId(name());

    const accessAsUser = new ApplicationPermissionScope(this, 'scope', {
      applicationId,
      scopeId: settings.scopeId,
      value: ACCESS_AS_USER,
      type: 'Admin',
      adminConsentDisplayName: terraformLiteral(settings.consentTexts.adminConsentDisplayName),
      adminConsentDescription: terraformLiteral(settings.consentTexts.adminConsentDescription),
      userConsentDisplayName: terraformLiteral(settings.consentTexts.userConsentDisplayName),
      userConsentDescription: terraformLiteral(settings.consentTexts.userConsentDescription),
    });
    accessAsUser.overrideLogicalId(name(ACCESS_AS_USER));

    new ApplicationRedirectUris(this, 'redirect-uris', {
      applicationId,
      type: 'SPA',
      redirectUris: settings.redirectUris.map(terraformLiteral),
    }).overrideLogicalId(name('spa'));

    // Restore operators sign in with the device code flow, which needs a public client.
    new ApplicationFallbackPublicClient(this, 'public-client', {
      applicationId,
      enabled: true,
    }).overrideLogicalId(name());

    new ApplicationApiAccess(this, 'graph-access', {
      applicationId,
      apiClientId: MICROSOFT_GRAPH_CLIENT_ID,
      scopeIds: [GRAPH_USER_READ_SCOPE_ID],
    }).overrideLogicalId(name('microsoft_graph'));

    // Referencing the scope resource's attribute orders this after the scope exists.
    new ApplicationApiAccess(this, 'self-access', {
      applicationId,
      apiClientId: registration.clientId,
      scopeIds: [accessAsUser.scopeId],
    }).overrideLogicalId(name('self'));

    // Graph rejects pre-authorizing a scope created in the same request: reference the scope resource.
    new ApplicationPreAuthorized(this, 'pre-authorized', {
      applicationId,
      authorizedClientId: registration.clientId,
      permissionIds: [accessAsUser.scopeId],
    }).overrideLogicalId(name('self'));

    // The provider makes the identity that creates a service principal its owner, then removes it unless
    // `owners` lists it: the deploying identity is listed, or Application.ReadWrite.OwnedBy loses the service
    // principal after its first apply.
    const deployer = settings.deployingIdentityObjectId;
    const servicePrincipalOwners = deployer ? [deployer, ...settings.owners.filter((owner) => owner !== deployer)] : settings.owners;
    const servicePrincipal = new ServicePrincipal(this, 'service-principal', {
      clientId: registration.clientId,
      // Listed under Enterprise applications, as Veeam's script tags it (WindowsAzureActiveDirectoryIntegratedApp).
      featureTags: [{ enterprise: true }],
      owners: servicePrincipalOwners.length > 0 ? [...servicePrincipalOwners] : undefined,
      lifecycle: { preventDestroy: true },
    });
    servicePrincipal.overrideLogicalId(name());
    this.servicePrincipalObjectId = servicePrincipal.objectId;

    new AdminConsent(this, 'admin-consent', {
      servicePrincipalObjectId: servicePrincipal.objectId,
      logicalIdPrefix: id,
      // Consent to a scope the application does not expose yet is rejected.
      selfConsentDependsOn: [accessAsUser],
    });

    const certificates = new Map<string, ApplicationCertificate>();
    const selfSigned = new Map<string, TlsSelfSignedCertificate>();
    const keyCredentials: KeyCredential[] = [];
    for (const certificate of settings.certificates) {
      const source = this.keyCredentialSource(certificate, name);
      if (source.made) selfSigned.set(source.key, source.made);
      const credential = new ApplicationCertificate(this, `certificate-${source.key}`, {
        applicationId,
        type: 'AsymmetricX509Cert',
        encoding: 'pem',
        value: source.value,
        // Entra rejects credential dates outside the certificate's validity; without them it picks its own.
        startDate: source.startDate,
        endDate: source.endDate,
        // Every change to a key credential replaces it: add the new one before removing the old, so the
        // application is never left without a key VB365 can sign in with.
        lifecycle: { createBeforeDestroy: true },
      });
      credential.overrideLogicalId(source.logicalId);
      certificates.set(source.key, credential);
      keyCredentials.push({ certificate, thumbprint: source.thumbprint, notAfter: source.endDate });
    }
    this.certificates = certificates;
    this.selfSignedCertificates = selfSigned;
    this.keyCredentials = keyCredentials;
    this.adminConsentUrl = adminConsentUrl(settings.cloud, this.clientId);
    const newest = newestCertificate(settings.certificates);
    this.restorePortalSettingsCommand = restorePortalSettingsCommand({
      clientId: this.clientId,
      portalUri: terraformLiteral(settings.redirectUris[0]),
      cloud: settings.cloud,
      certificateThumbprint: keyCredentials.find((k) => k.certificate === newest)!.thumbprint,
    });

    // Entra makes the identity that creates a registration its owner, so a new one needs no owner resource for
    // it. An adopted one was made by someone else and must already be owned by the deploying identity, which
    // Application.ReadWrite.OwnedBy cannot make itself: its ownership is imported, so a missing one fails the plan
    // (and says so) instead of the apply.
    const applicationOwners =
      settings.adoption && deployer && !settings.owners.includes(deployer) ? [...settings.owners, deployer] : settings.owners;
    for (const owner of applicationOwners) {
      new ApplicationOwner(this, `owner-${owner}`, { applicationId, ownerObjectId: owner }).overrideLogicalId(
        name(owner.replace(/-/g, '')),
      );
    }

    if (settings.adoption) importExisting(this, adoptionImports(settings.adoption, id, deployer));
    if (provider) useProvider(this, provider);

    // Terraform names come from the construct's id, not its path, so that plans read plainly: a second
    // element of the stack with one of these names would silently merge with ours in cdk.tf.json.
    const taken = takenNames(this);
    if (taken) throw new RestorePortalAppPropsError(this.node.path, [{ path: '', message: taken }]);
    this.node.addValidation({ validate: () => [takenNames(this)].filter((problem) => problem !== undefined) });
  }

  /** Checks the props once, throwing every problem together; warnings become cdktf annotations, which `cdktf synth` prints. */
  private validate(props: RestorePortalAppProps): { settings: RestorePortalAppSettings; notes: string; provider?: TerraformProvider } {
    const problems: { path: string; message: string }[] = [];
    const report: Report = (path, message) => problems.push({ path, message });
    const warnings: string[] = [];
    // A reference read as a value would fail with a message about its placeholder text (or number) instead.
    const references = terraformReferences(props, '', new Set());
    if (references.length > 0) {
      throw new RestorePortalAppPropsError(
        this.node.path,
        references.map((path) => ({
          path,
          message: 'is a Terraform reference (a cdktf token), whose value is known only when Terraform applies; give the value itself, which is checked when the app is created',
        })),
      );
    }
    const raw = readObject(props, '', PROPS_FIELDS, report);
    const settings =
      raw &&
      readRestorePortalAppProps(
        raw,
        {
          // A path in the props is read like a path in the project's own files: a certificate kept elsewhere
          // (a secret store, a download) is given by its content.
          certificatesDir: {
            path: process.cwd(),
            label: 'the working directory',
            within: process.cwd(),
            outside: 'the working directory (the project cdktf synthesizes); keep certificate files in it, or give the certificate as { source: "content", content }',
          },
          now: new Date(),
          expiryWarningDays: DEFAULT_EXPIRY_WARNING_DAYS,
          defaultScopeId: uuidV5(`${this.node.path}/${ACCESS_AS_USER}`),
        },
        report,
        (path, message) => warnings.push(`${path}: ${message}`),
      );
    const notes =
      raw?.notes === undefined
        ? `Managed by CDK for Terraform (${this.node.path}). Changes made here are reverted by the next deploy.`
        : readString(raw.notes, 'notes', report);
    const provider = raw?.provider === undefined ? undefined : this.readProvider(raw.provider, report);
    if (problems.length > 0 || !settings || notes === undefined) throw new RestorePortalAppPropsError(this.node.path, problems);
    for (const warning of warnings) Annotations.of(this).addWarning(warning);
    return { settings, notes, provider };
  }

  private readProvider(value: unknown, report: Report): TerraformProvider | undefined {
    if (!TerraformProvider.isTerraformProvider(value) || value.terraformResourceType !== 'azuread') {
      report('provider', `must be an azuread provider (new AzureadProvider(stack, id, { alias, ... })); got ${describe(value)}`);
      return undefined;
    }
    const ours = TerraformStack.of(this);
    const its = TerraformStack.of(value);
    if (its !== ours) {
      report('provider', `must be a provider of the app's own stack (${ours.node.path}); got one of ${its.node.path}`);
      return undefined;
    }
    return value;
  }

  /**
   * What a certificate's key credential holds. Named by the certificate itself (thumbprint of a file,
   * name of a self-signed one), so adding or removing one leaves the others' addresses alone.
   */
  private keyCredentialSource(certificate: Certificate, name: (suffix: string) => string): KeyCredentialSource {
    if (certificate.source === 'file') {
      return {
        key: certificate.thumbprint,
        logicalId: name(certificate.thumbprint.toLowerCase()),
        value: certificate.pem,
        thumbprint: certificate.thumbprint,
        startDate: formatDate(certificate.notBefore),
        endDate: formatDate(certificate.notAfter),
      };
    }
    const logicalId = name(certificate.name);
    const made = new TlsSelfSignedCertificate(this, `self-signed-${certificate.name}`, { certificate, logicalId });
    return {
      key: certificate.name,
      logicalId,
      value: made.certificatePem,
      thumbprint: made.thumbprint,
      startDate: made.notBefore,
      endDate: made.notAfter,
      made,
    };
  }
}

/** A key credential's content: values for a file, Terraform references for a self-signed certificate. */
interface KeyCredentialSource {
  readonly key: string;
  readonly logicalId: string;
  readonly value: string;
  readonly thumbprint: string;
  readonly startDate: string;
  readonly endDate: string;
  /** The tls resources that make a self-signed certificate. */
  readonly made?: TlsSelfSignedCertificate;
}

/**
 * Gives every resource that already exists its import ID (a Terraform `import` block), matched by
 * Terraform address so the import list reads like the plan. An imported key credential keeps its
 * dates and is never replaced for its certificate text: Entra does not return the certificate, and
 * the thumbprint in the address already pins which certificate it holds.
 */
function importExisting(app: Construct, imports: ReadonlyMap<string, string>): void {
  for (const child of app.node.findAll()) {
    if (!TerraformResource.isTerraformResource(child)) continue;
    const importId = imports.get(`${child.terraformResourceType}.${child.friendlyUniqueId}`);
    if (importId === undefined) continue;
    child.importFrom(importId);
    if (child instanceof ApplicationCertificate) {
      child.lifecycle = { ...child.lifecycle, ignoreChanges: ['value', 'encoding', 'start_date', 'end_date'] };
    }
  }
}

/** The prop paths that hold a cdktf token; the provider, a construct, is no value to look into. */
function terraformReferences(value: unknown, path: string, seen: Set<unknown>): string[] {
  if (Token.isUnresolved(value)) return [path];
  if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof Uint8Array || Construct.isConstruct(value)) return [];
  seen.add(value);
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((entry, index) => [index, entry]) : Object.entries(value);
  return entries.flatMap(([key, entry]) => terraformReferences(entry, fieldPath(path, key), seen));
}

/** Puts every azuread resource and lookup of the app on the given provider; the tls ones keep the stack's default. */
function useProvider(app: Construct, provider: TerraformProvider): void {
  for (const element of app.node.findAll()) {
    if (TerraformResource.isTerraformResource(element) || TerraformDataSource.isTerraformDataSource(element)) {
      if (element.terraformResourceType.startsWith('azuread_')) element.provider = provider;
    }
  }
}

/** Says which Terraform names of the construct another element of its stack has too, if any. */
function takenNames(app: RestorePortalApp): string | undefined {
  const ours = new Map<string, IConstruct>();
  for (const child of app.node.findAll()) {
    const address = terraformAddress(child);
    if (address) ours.set(address, child);
  }
  const clashes = TerraformStack.of(app)
    .node.findAll()
    .map((element) => ({ element, address: terraformAddress(element) }))
    .filter(({ element, address }) => address !== undefined && ours.has(address) && ours.get(address) !== element);
  if (clashes.length === 0) return undefined;
  const [first] = clashes;
  const more = clashes.length > 1 ? ` (and ${clashes.length - 1} more of its names)` : '';
  return (
    `${first.address} is also the Terraform name of ${first.element.node.path}${more}, and Terraform would merge the two into one. ` +
    `Its resources are named after its id ("${app.node.id}"): give each RestorePortalApp in a stack an id that no other resource there uses`
  );
}

function terraformAddress(element: IConstruct): string | undefined {
  if (TerraformResource.isTerraformResource(element)) return `${element.terraformResourceType}.${element.friendlyUniqueId}`;
  if (TerraformDataSource.isTerraformDataSource(element)) return `data.${element.terraformResourceType}.${element.friendlyUniqueId}`;
  return undefined;
}
