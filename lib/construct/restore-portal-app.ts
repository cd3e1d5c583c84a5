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
import { Annotations, Fn, TerraformDataSource, TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { AdminConsent } from './admin-consent';
import { formatDate, type Certificate } from '../certificates/certificate';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/certificate-expiry';
import type { TlsSelfSignedCertificate } from '../certificates/tls-self-signed-certificate';
import { adoptionImports, IMPORT_ID, type TerraformNames } from './adoption';
import { uuidV5 } from './deterministic-uuid';
import { describe, readObject, readString, type Report } from '../input/field-reader';
import { isReferenceText, isTerraformReference, refusedReferences, sameReference, terraformText } from '../input/terraform-reference';
import {
  PROPS_FIELDS,
  readRestorePortalAppProps,
  type RestorePortalAppProps,
  type RestorePortalAppSettings,
} from './restore-portal-app-props';
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

/** What is wrong with the props of a `RestorePortalApp` (or a `RestorePortalCustomerConsent`): every problem, each by prop path. */
export class RestorePortalAppPropsError extends Error {
  constructor(
    /** The construct's path in the app. */
    readonly constructPath: string,
    /** Each problem: the prop path (`redirectUris[0]`; empty for the construct as a whole) and what is wrong. */
    readonly problems: readonly { readonly path: string; readonly message: string }[],
    /** The construct's class, which each line starts with. */
    constructClass = 'RestorePortalApp',
  ) {
    // One line per problem: a line break or direction override in a prop value is shown escaped.
    super(problems.map((p) => escapeControlCharacters(`${constructClass} ${constructPath}: ${p.path ? `${p.path}: ` : ''}${p.message}`)).join('\n'));
    this.name = 'RestorePortalAppPropsError';
  }
}

/** Settings checked already, by the props made from them (see propsOfCheckedSettings). */
const checkedSettings = new WeakMap<RestorePortalAppProps, RestorePortalAppSettings>();

/**
 * Props made from settings already checked, which the construct takes as they are instead of
 * checking them a second time: an environment file's, checked (and warned about) by its loader, with
 * the same reader. Not part of the package: a consumer's props are always checked.
 */
export function propsOfCheckedSettings(props: RestorePortalAppProps, settings: RestorePortalAppSettings): RestorePortalAppProps {
  checkedSettings.set(props, settings);
  return props;
}

/** Props that take a Terraform reference (a cdktf token); every other value is checked when the construct is created. */
const TAKES_A_REFERENCE = [
  /^(displayName|notes|deployingIdentityObjectId)$/,
  /^(owners|redirectUris)\[\d+\]$/,
  /^adopt\.(applicationObjectId|clientId|scopeId|servicePrincipalObjectId)$/,
  /^adopt\.consentGrantIds\.(microsoftGraph|self)$/,
  /^adopt\.certificateKeyIds\.[0-9A-Fa-f]{40}$/,
  /^adopt\.existingOwners\[\d+\]$/,
];

/**
 * The child ids of a `RestorePortalApp`, for `node.findChild` and aspects; each holds the resource the
 * construct's typed property of the same meaning gives.
 */
export const RESTORE_PORTAL_APP_CHILD_IDS = {
  registration: 'registration',
  identifierUri: 'identifier-uri',
  permissionScope: 'scope',
  redirectUris: 'redirect-uris',
  publicClient: 'public-client',
  graphAccess: 'graph-access',
  selfAccess: 'self-access',
  preAuthorized: 'pre-authorized',
  servicePrincipal: 'service-principal',
  adminConsent: 'admin-consent',
} as const;

/**
 * The Entra ID application the VB365 Restore Portal signs users in with, built from azuread's
 * granular resources (never mixed with `azuread_application`, whose inline blocks fight them):
 * the multitenant registration, its `api://<client id>` identifier, the `access_as_user` scope
 * pre-authorized for itself, SPA redirect URIs, public client flows, access to Graph `User.Read`
 * and its own scope, the enterprise-application service principal, tenant-wide admin consent,
 * and one key credential per certificate.
 *
 * Terraform names are `<type>.<name>` plus a suffix (`azuread_application_api_access.portal_microsoft_graph`),
 * so plans read plainly and import IDs are easy to match; `<name>` is the construct's id when it sits
 * directly in its stack, its path under the stack otherwise (see `terraformName`). The stack configures
 * the azuread provider (and the tls provider when a certificate is self-signed).
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
  /** What its Terraform names start with (`portal` in `azuread_application_registration.portal`). */
  public readonly terraformName: string;
  /** The application registration (child `registration`), also the construct's `node.defaultChild`. */
  public readonly registration: ApplicationRegistration;
  /** The enterprise-application service principal in the home tenant (child `service-principal`). */
  public readonly servicePrincipal: ServicePrincipal;
  /** The `access_as_user` scope (child `scope`). */
  public readonly permissionScope: ApplicationPermissionScope;
  /** The SPA redirect URIs (child `redirect-uris`). */
  public readonly redirectUris: ApplicationRedirectUris;
  /** Tenant-wide admin consent in the home tenant (child `admin-consent`): its `microsoftGraphGrant` and `selfGrant`. */
  public readonly adminConsent: AdminConsent;
  /** The key credential of each certificate, by thumbprint (file) or name (self-signed) (children `certificate-<key>`). */
  public readonly certificates: ReadonlyMap<string, ApplicationCertificate>;
  /**
   * Thumbprint and expiry (RFC 3339) of each certificate, in the props' order: values for
   * files, Terraform references for self-signed certificates, which exist once Terraform made them.
   */
  public readonly keyCredentials: readonly KeyCredential[];
  /** The tls resources of each self-signed certificate, by name (children `self-signed-<name>`). */
  public readonly selfSignedCertificates: ReadonlyMap<string, TlsSelfSignedCertificate>;
  /** The admin consent URL a customer tenant's admin opens to consent for their organisation. */
  public readonly adminConsentUrl: string;
  /** The PowerShell (`Set-VBORestorePortalSettings`) that points VB365's Restore Portal at this application. */
  public readonly restorePortalSettingsCommand: string;

  /**
   * @param scope the stack, or a construct in it, that holds the application
   * @param id names its Terraform resources when `scope` is the stack (`azuread_application_registration.<id>`)
   * @param props what the application is made from
   */
  constructor(scope: Construct, id: string, props: RestorePortalAppProps) {
    super(scope, id);
    const { settings, notes, provider, terraformName } = this.validate(props);
    this.terraformName = terraformName;
    const name = (suffix?: string) => (suffix ? `${terraformName}_${suffix}` : terraformName);
    const ids = RESTORE_PORTAL_APP_CHILD_IDS;

    const registration = new ApplicationRegistration(this, ids.registration, {
      displayName: terraformText(settings.displayName),
      signInAudience: 'AzureADMultipleOrgs',
      implicitAccessTokenIssuanceEnabled: false,
      implicitIdTokenIssuanceEnabled: false,
      // VB365 validates v1 tokens; the granular resource defaults to 2, the portal's manifest leaves null (= 1).
      requestedAccessTokenVersion: 1,
      notes: terraformText(notes),
      // Recreating the registration changes the Application ID and breaks every VB365 server using it.
      lifecycle: { preventDestroy: true },
    });
    registration.overrideLogicalId(name());
    this.registration = registration;
    this.node.defaultChild = registration;
    const applicationId = registration.id;
    this.clientId = registration.clientId;
    this.applicationObjectId = registration.objectId;
    this.scopeId = settings.scopeId;
    this.identifierUri = `api://${registration.clientId}`;

    // A separate resource: `api://${client_id}` inside the registration itself is a cycle (azuread #428, #905).
    new ApplicationIdentifierUri(this, ids.identifierUri, {
      applicationId,
      identifierUri: this.identifierUri,
    }).overrideLogicalId(name());

    const accessAsUser = new ApplicationPermissionScope(this, ids.permissionScope, {
      applicationId,
      scopeId: settings.scopeId,
      value: ACCESS_AS_USER,
      type: 'Admin',
      adminConsentDisplayName: terraformText(settings.consentTexts.adminConsentDisplayName),
      adminConsentDescription: terraformText(settings.consentTexts.adminConsentDescription),
      userConsentDisplayName: terraformText(settings.consentTexts.userConsentDisplayName),
      userConsentDescription: terraformText(settings.consentTexts.userConsentDescription),
    });
    accessAsUser.overrideLogicalId(name(ACCESS_AS_USER));
    this.permissionScope = accessAsUser;

    this.redirectUris = new ApplicationRedirectUris(this, ids.redirectUris, {
      applicationId,
      type: 'SPA',
      redirectUris: settings.redirectUris.map(terraformText),
    });
    this.redirectUris.overrideLogicalId(name('spa'));

    // Restore operators sign in with the device code flow, which needs a public client.
    new ApplicationFallbackPublicClient(this, ids.publicClient, {
      applicationId,
      enabled: true,
    }).overrideLogicalId(name());

    new ApplicationApiAccess(this, ids.graphAccess, {
      applicationId,
      apiClientId: MICROSOFT_GRAPH_CLIENT_ID,
      scopeIds: [GRAPH_USER_READ_SCOPE_ID],
    }).overrideLogicalId(name('microsoft_graph'));

    // Referencing the scope resource's attribute orders this after the scope exists.
    new ApplicationApiAccess(this, ids.selfAccess, {
      applicationId,
      apiClientId: registration.clientId,
      scopeIds: [accessAsUser.scopeId],
    }).overrideLogicalId(name('self'));

    // Graph rejects pre-authorizing a scope created in the same request: reference the scope resource.
    new ApplicationPreAuthorized(this, ids.preAuthorized, {
      applicationId,
      authorizedClientId: registration.clientId,
      permissionIds: [accessAsUser.scopeId],
    }).overrideLogicalId(name('self'));

    // The provider makes the identity that creates a service principal its owner, then removes it unless
    // `owners` lists it: the deploying identity is listed, or Application.ReadWrite.OwnedBy loses the service
    // principal after its first apply.
    const deployer = settings.deployingIdentityObjectId;
    // `deployer.objectId` read twice is two tokens of one reference: an owner that is the deploying identity is
    // named by deployingIdentityObjectId's own text.
    const owners = settings.owners.map((owner) => (deployer !== undefined && sameReference(owner, deployer) ? deployer : owner));
    const servicePrincipalOwners = deployer ? [deployer, ...owners.filter((owner) => owner !== deployer)] : owners;
    const servicePrincipal = new ServicePrincipal(this, ids.servicePrincipal, {
      clientId: registration.clientId,
      // Listed under Enterprise applications, as Veeam's script tags it (WindowsAzureActiveDirectoryIntegratedApp).
      featureTags: [{ enterprise: true }],
      owners: servicePrincipalOwners.length > 0 ? [...servicePrincipalOwners] : undefined,
      lifecycle: { preventDestroy: true },
    });
    servicePrincipal.overrideLogicalId(name());
    this.servicePrincipal = servicePrincipal;
    this.servicePrincipalObjectId = servicePrincipal.objectId;

    this.adminConsent = new AdminConsent(this, ids.adminConsent, {
      servicePrincipalObjectId: servicePrincipal.objectId,
      logicalIdPrefix: terraformName,
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
      portalUri: terraformText(settings.redirectUris[0]),
      cloud: settings.cloud,
      certificateThumbprint: keyCredentials.find((k) => k.certificate === newest)!.thumbprint,
    });

    // Entra makes the identity that creates a registration its owner, so a new one needs no owner resource for
    // it. An adopted one was made by someone else and must already be owned by the deploying identity, which
    // Application.ReadWrite.OwnedBy cannot make itself: its ownership is imported, so a missing one fails the plan
    // (and says so) instead of the apply. A reference given both as the deploying identity and as an owner
    // (DataAzureadClientConfig's objectId) is the identity that creates the registration, which an owner resource
    // would fail the first apply for. A literal object ID in both keeps its owner resource, as it always has:
    // an environment a person first applied names the CI identity there to hand it the registration, and its
    // state holds that resource (synth warns for an environment file).
    const applicationOwners = settings.adoption
      ? deployer && !owners.includes(deployer)
        ? [...owners, deployer]
        : owners
      : owners.filter((owner) => owner !== deployer || !isTerraformReference(owner));
    const names = terraformNames(terraformName, applicationOwners);
    for (const owner of applicationOwners) {
      new ApplicationOwner(this, ownerChildId(owner, applicationOwners), { applicationId, ownerObjectId: owner }).overrideLogicalId(names.owner(owner));
    }

    if (settings.adoption) importExisting(this, adoptionImports(settings.adoption, names, deployer, identifierUriImportId));
    if (provider) useProvider(this, provider);

    // Terraform names come from the construct's id or path, not cdktf's hashed ids, so that plans read plainly:
    // another element of the stack with one of these names would silently merge with ours in cdk.tf.json.
    const taken = takenNames(this);
    if (taken) throw new RestorePortalAppPropsError(this.node.path, [{ path: '', message: taken }]);
    this.node.addValidation({ validate: () => [takenNames(this)].filter((problem) => problem !== undefined) });
  }

  /** Checks the props once, throwing every problem together; warnings become cdktf annotations, which `cdktf synth` prints. */
  private validate(props: RestorePortalAppProps): {
    settings: RestorePortalAppSettings;
    notes: string;
    provider?: TerraformProvider;
    terraformName: string;
  } {
    const problems: { path: string; message: string }[] = [];
    const report: Report = (path, message) => problems.push({ path, message });
    const warnings: string[] = [];
    const checked = checkedSettings.get(props);
    // A reference where a value is needed would fail with a message about its placeholder text (or number).
    const refused = checked ? [] : refusedReferences(props, (path) => TAKES_A_REFERENCE.some((pattern) => pattern.test(path)));
    if (refused.length > 0) {
      throw new RestorePortalAppPropsError(
        this.node.path,
        refused.map((path) => ({
          path,
          message:
            'is a Terraform reference (a cdktf token), whose value is known only when Terraform applies; this prop takes the value itself, which is checked when the app is created ' +
            '(references are taken by displayName, notes, deployingIdentityObjectId, the items of redirectUris and owners, and the IDs of adopt)',
        })),
      );
    }
    const raw = readObject(props, '', PROPS_FIELDS, report);
    const settings = checked ?? (raw && this.readSettings(raw, report, (path, message) => warnings.push(`${path}: ${message}`)));
    const notes =
      raw?.notes === undefined
        ? `Managed by CDK for Terraform (${this.node.path}). Changes made here are reverted by the next deploy.`
        : isReferenceText(raw.notes)
          ? raw.notes
          : readString(raw.notes, 'notes', report);
    const provider = raw?.provider === undefined ? undefined : readProvider(this, raw.provider, report, 'an azuread provider (new AzureadProvider(stack, id, { alias, ... }))');
    const terraformName = readTerraformName(this, raw?.terraformName, report);
    settings?.certificates.forEach((certificate, index) => {
      if (certificate.source === 'selfSigned' && !tlsBindings()) {
        report(
          `certificates[${index}]`,
          'is self-signed, which needs the tls provider\'s bindings: add @cdktf/provider-tls (11.x) to your app, and new TlsProvider(stack, "tls") to the stack',
        );
      }
    });
    if (problems.length > 0 || !settings || notes === undefined || terraformName === undefined) {
      throw new RestorePortalAppPropsError(this.node.path, problems);
    }
    for (const warning of warnings) Annotations.of(this).addWarning(warning);
    return { settings, notes, provider, terraformName };
  }

  /** The props' settings, read with the rules of an environment file; certificate paths start from the working directory. */
  private readSettings(raw: Record<string, unknown>, report: Report, warn: Report): RestorePortalAppSettings | undefined {
    return readRestorePortalAppProps(
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
        isReference: isReferenceText,
      },
      report,
      warn,
    );
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
    const { TlsSelfSignedCertificate } = tlsBindings()!;
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
 * The tls provider's bindings are an optional peer of the package: loaded only for a self-signed
 * certificate, so an app without one needs no `@cdktf/provider-tls`. Undefined when it is not installed.
 */
function tlsBindings(): typeof import('../certificates/tls-self-signed-certificate') | undefined {
  try {
    return require('../certificates/tls-self-signed-certificate') as typeof import('../certificates/tls-self-signed-certificate');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /@cdktf\/provider-tls/.test(String((error as Error).message))) return undefined;
    throw error;
  }
}

/** Reads the `provider` prop: an azuread provider of the construct's own stack, described as `what` when it is not one. */
export function readProvider(construct: Construct, value: unknown, report: Report, what: string): TerraformProvider | undefined {
  if (!TerraformProvider.isTerraformProvider(value) || value.terraformResourceType !== 'azuread') {
    report('provider', `must be ${what}; got ${describe(value)}`);
    return undefined;
  }
  const ours = TerraformStack.of(construct);
  const its = TerraformStack.of(value);
  if (its !== ours) {
    report('provider', `must be a provider of the app's own stack (${ours.node.path}); got one of ${its.node.path}`);
    return undefined;
  }
  return value;
}

/** A Terraform name: what `terraformName` may be, and what names made from a construct's path are cut down to. */
const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * What a construct's Terraform names start with: `terraformName` when given; the construct's id when
 * it sits directly in its stack (the names this package always gave, which existing state holds);
 * below another construct, the ids of its path under the stack joined by `_`, each cut down to
 * letters, digits, `_` and `-`, so two wrappers that each hold a `portal` get `team-a_portal` and
 * `team-b_portal`. What still clashes is an error (see takenNames).
 */
export function readTerraformName(construct: Construct, given: unknown, report: Report): string | undefined {
  if (given !== undefined) {
    if (typeof given !== 'string' || !TERRAFORM_NAME.test(given) || given.length > 64) {
      report(
        'terraformName',
        `must be a Terraform name: a letter or "_", then letters, digits, "_" and "-" (at most 64 characters); got ${describe(given)}`,
      );
      return undefined;
    }
    return given;
  }
  const stack = TerraformStack.of(construct);
  if (construct.node.scope === stack) return construct.node.id;
  const path = construct.node.scopes.slice(construct.node.scopes.indexOf(stack) + 1).map((scope) => scope.node.id.replace(/[^A-Za-z0-9_-]/g, '_'));
  const joined = path.join('_');
  return /^[A-Za-z_]/.test(joined) ? joined : `_${joined}`;
}

/** The Terraform names of the app's owners: by object ID, or by position for a Terraform reference. */
function terraformNames(base: string, owners: readonly string[]): TerraformNames {
  return {
    base,
    owner: (owner) => (isTerraformReference(owner) ? `${base}_owner_${owners.indexOf(owner)}` : `${base}_${owner.replace(/-/g, '')}`),
  };
}

function ownerChildId(owner: string, owners: readonly string[]): string {
  return isTerraformReference(owner) ? `owner-reference-${owners.indexOf(owner)}` : `owner-${owner}`;
}

/** The identifier URI's import ID; Terraform encodes it when the client ID is a reference. */
function identifierUriImportId(objectId: string, uri: string): string {
  if (!isTerraformReference(uri)) return IMPORT_ID.identifierUri(objectId, uri);
  // Split before each reference: cdktn warns about a function argument that holds a literal and a reference.
  return `/applications/${objectId}/identifierUris/${Fn.urlencode(Fn.base64encode(Fn.join('', uri.split(/(?=\$\{TfToken\[)/))))}`;
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

/** Puts every azuread resource and lookup of the app on the given provider; the tls ones keep the stack's default. */
function useProvider(app: Construct, provider: TerraformProvider): void {
  for (const element of app.node.findAll()) {
    if (TerraformResource.isTerraformResource(element) || TerraformDataSource.isTerraformDataSource(element)) {
      if (element.terraformResourceType.startsWith('azuread_')) element.provider = provider;
    }
  }
}

/** Says which Terraform names of the construct another element of its stack has too, if any. */
export function takenNames(construct: Construct & { readonly terraformName: string }): string | undefined {
  const ours = new Map<string, IConstruct>();
  for (const child of construct.node.findAll()) {
    const address = terraformAddress(child);
    if (address) ours.set(address, child);
  }
  const clashes = TerraformStack.of(construct)
    .node.findAll()
    .map((element) => ({ element, address: terraformAddress(element) }))
    .filter(({ element, address }) => address !== undefined && ours.has(address) && ours.get(address) !== element);
  if (clashes.length === 0) return undefined;
  const [first] = clashes;
  const more = clashes.length > 1 ? ` (and ${clashes.length - 1} more of its names)` : '';
  return (
    `${first.address} is also the Terraform name of ${first.element.node.path}${more}, and Terraform would merge the two into one. ` +
    `Its resources are named "${construct.terraformName}..." (from its id, or its path below the stack): give it an id that no other resource of the stack uses, or a terraformName of its own`
  );
}

function terraformAddress(element: IConstruct): string | undefined {
  if (TerraformResource.isTerraformResource(element)) return `${element.terraformResourceType}.${element.friendlyUniqueId}`;
  if (TerraformDataSource.isTerraformDataSource(element)) return `data.${element.terraformResourceType}.${element.friendlyUniqueId}`;
  return undefined;
}
