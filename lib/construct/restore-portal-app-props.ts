import type { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import type { Certificate } from '../certificates/certificate';
import { fieldPath, readArray, readGuid, readObject, readOneOf, readString, type Report } from '../input/field-reader';
import { readAdoption, type Adoption, type AdoptInput } from './adoption';
import { readCertificates, type CertificateInput, type CertificateSourceName, CERTIFICATE_SOURCES } from './certificate-props';
import { CLOUDS, CLOUD_NAMES, type Cloud, type CloudName } from './cloud';
import { readRedirectUris } from './redirect-uri';
import { ARTICLE_CONSENT_TEXTS, DEFAULT_DISPLAY_NAME } from './well-known';

/** Consent texts of the `access_as_user` scope, shown on Entra's consent screens. */
export interface ConsentTextsInput {
  /**
   * Title of the scope on the admin consent screen.
   * @default "Access Veeam Backup for Microsoft 365 Restore Portal"
   */
  readonly adminConsentDisplayName?: string;
  /**
   * Text of the scope on the admin consent screen.
   * @default "Allows access to Veeam Backup for Microsoft 365 Restore Portal as the signed-in user"
   */
  readonly adminConsentDescription?: string;
  /**
   * Title of the scope on the user consent screen.
   * @default "Access Veeam Backup for Microsoft 365 Restore Portal"
   */
  readonly userConsentDisplayName?: string;
  /**
   * Text of the scope on the user consent screen.
   * @default "Allows access to Veeam Backup for Microsoft 365 Restore Portal on your behalf"
   */
  readonly userConsentDescription?: string;
}

/**
 * What a `RestorePortalApp` is made from. Props marked "takes a reference" accept a Terraform reference
 * (a cdktf token: another resource's attribute, a data source, a variable), passed to Terraform as it is;
 * a value given itself is checked when the construct is created, as every other prop is.
 */
export interface RestorePortalAppProps {
  /**
   * The Restore Portal's addresses (SPA redirect URIs), e.g. `https://restore.example.com:4443`; the first is
   * the portal's `-PortalUri`. Each item takes a reference (the list itself does not); when the first is one, a
   * self-signed certificate needs its `commonName`.
   */
  readonly redirectUris: readonly string[];
  /** Certificates whose private keys VB365 holds; one key credential each. At least one; list current and next to rotate. */
  readonly certificates: readonly CertificateInput[];
  /** Name of the registration in Entra; takes a reference. @default "VB365 Restore Portal" */
  readonly displayName?: string;
  /**
   * Object IDs of users or service principals that own the application and its service principal. Each item
   * takes a reference (the list itself does not). @default none
   */
  readonly owners?: readonly string[];
  /**
   * Object ID of the service principal that applies this app, e.g. `new DataAzureadClientConfig(...).objectId`
   * (takes a reference). It stays an owner of the service principal (and of an adopted registration), which
   * `Application.ReadWrite.OwnedBy` needs on every later apply.
   * @default none: the azuread provider removes the creating identity from the service principal's owners
   */
  readonly deployingIdentityObjectId?: string;
  /** ID of the `access_as_user` scope. @default a UUIDv5 of the construct's path, stable while the stack and construct IDs are */
  readonly scopeId?: string;
  /** Consent texts of the `access_as_user` scope. @default the wording of Veeam's article */
  readonly consentTexts?: ConsentTextsInput;
  /** National cloud of the tenant: picks the sign-in host of `adminConsentUrl` and VB365's `-Region`. @default "public" */
  readonly cloud?: CloudName;
  /** An existing registration to import instead of creating one; its scope ID is kept. Its IDs take references. @default a new registration */
  readonly adopt?: AdoptInput;
  /**
   * Notes on the registration, shown in Entra, so that portal users know who manages it; takes a reference.
   * @default "Managed by CDK for Terraform (<construct path>). Changes made here are reverted by the next deploy."
   */
  readonly notes?: string;
  /**
   * The azuread provider of the app's stack that its resources use: an aliased one for another tenant.
   * Self-signed certificates' tls resources use the stack's default tls provider.
   * @default the stack's default azuread provider
   */
  readonly provider?: AzureadProvider;
  /**
   * What its Terraform names start with (`azuread_application_registration.<terraformName>`): letters, digits,
   * `_` and `-`, starting with a letter or `_`. Set it to keep the names of a construct you move, so that
   * Terraform moves nothing.
   * @default the construct's id when it sits directly in its stack (`portal`); below another construct, the ids of
   * its path under the stack joined by `_` (`team-a_portal`)
   */
  readonly terraformName?: string;
}

/** Props as checked, with defaults applied and certificates read. */
export interface RestorePortalAppSettings {
  readonly displayName: string;
  readonly redirectUris: readonly string[];
  readonly certificates: readonly Certificate[];
  readonly owners: readonly string[];
  /** The service principal that applies the app; an owner of what it must keep changing. */
  readonly deployingIdentityObjectId?: string;
  readonly scopeId: string;
  readonly consentTexts: Required<ConsentTextsInput>;
  readonly cloud: Cloud;
  /** The existing registration the stack imports, when it adopts one. */
  readonly adoption?: Adoption;
}

/** Where the props come from, for what the props themselves cannot say. */
export interface PropsSource {
  /**
   * Absolute folder a relative certificate path starts from, that folder as messages name it, the
   * folder certificate files must lie in (@default anywhere), and what a file outside it is told.
   */
  readonly certificatesDir: { readonly path: string; readonly label: string; readonly within?: string; readonly outside?: string };
  /** The time certificates must still be valid at. */
  readonly now: Date;
  /** Keep expired certificates instead of rejecting them, for reports that must list them. @default false */
  readonly allowExpired?: boolean;
  /** A certificate expiring within this many days gets a warning. */
  readonly expiryWarningDays: number;
  /** The scope ID when the props give none. */
  readonly defaultScopeId: string;
  /** @default every source */
  readonly certificateSources?: readonly CertificateSourceName[];
  /**
   * Which values are Terraform references, passed on unchecked where a prop takes one. Environment
   * files have none: there the placeholder text of one fails the value's own check.
   * @default none are
   */
  readonly isReference?: (value: unknown) => value is string;
  /** Who else reads the state, for the warning about self-signed keys. @default any CI job that plans the app */
  readonly stateReaders?: string;
}

/** The props a `RestorePortalApp` takes; environment files use the same names, less `notes`, `provider` and `terraformName`. */
export const PROPS_FIELDS = [
  'redirectUris',
  'certificates',
  'displayName',
  'owners',
  'deployingIdentityObjectId',
  'scopeId',
  'consentTexts',
  'cloud',
  'adopt',
  'notes',
  'provider',
  'terraformName',
] as const satisfies readonly (keyof RestorePortalAppProps)[];

const CONSENT_TEXT_FIELDS = Object.keys(ARTICLE_CONSENT_TEXTS) as (keyof ConsentTextsInput)[];
/** Entra's limit for an application's display name. */
const MAX_DISPLAY_NAME = 256;
/** Entra's limit for consent display names and descriptions of a permission scope. */
const MAX_CONSENT_TEXT = 1024;

/**
 * Checks the props of a `RestorePortalApp`, or the same fields of an environment file, reporting
 * every problem by field path. `raw` is an object already; its other fields (`notes`, `provider`, or the
 * environment's own) are the caller's.
 */
export function readRestorePortalAppProps(
  raw: Record<string, unknown>,
  source: PropsSource,
  report: Report,
  warn: Report,
): RestorePortalAppSettings | undefined {
  let ok = true;
  const fail: Report = (path, message) => {
    ok = false;
    report(path, message);
  };
  for (const field of ['redirectUris', 'certificates'] as const) {
    if (raw[field] === undefined) fail(field, 'is required');
  }
  const isReference = source.isReference ?? ((_value: unknown): _value is string => false);
  const redirectUris = raw.redirectUris === undefined ? undefined : readRedirectUris(raw.redirectUris, 'redirectUris', fail, warn, isReference);
  const firstUriIsReference = redirectUris !== undefined && isReference(redirectUris[0]);
  const certificates =
    raw.certificates === undefined
      ? undefined
      : readCertificates(
          raw.certificates,
          'certificates',
          {
            baseDir: source.certificatesDir.path,
            baseDirLabel: source.certificatesDir.label,
            within: source.certificatesDir.within,
            outside: source.certificatesDir.outside,
            now: source.now,
            allowExpired: source.allowExpired ?? false,
            defaultCommonName: redirectUris && !firstUriIsReference ? new URL(redirectUris[0]).hostname : undefined,
            noDefaultCommonName: firstUriIsReference
              ? 'is required: the first redirect URI, whose host it defaults to, is a Terraform reference'
              : undefined,
            expiryWarningDays: source.expiryWarningDays,
            sources: source.certificateSources ?? CERTIFICATE_SOURCES,
            stateReaders: source.stateReaders,
          },
          fail,
          warn,
        );
  const displayName =
    raw.displayName === undefined
      ? DEFAULT_DISPLAY_NAME
      : isReference(raw.displayName)
        ? raw.displayName
        : readString(raw.displayName, 'displayName', fail, { maxLength: MAX_DISPLAY_NAME });
  const owners = raw.owners === undefined ? [] : readOwners(raw.owners, fail, isReference);
  const deployingIdentityObjectId =
    raw.deployingIdentityObjectId === undefined
      ? undefined
      : isReference(raw.deployingIdentityObjectId)
        ? raw.deployingIdentityObjectId
        : readGuid(raw.deployingIdentityObjectId, 'deployingIdentityObjectId', fail, "the object ID of the deploying identity's service principal, a GUID");
  const givenScopeId = raw.scopeId === undefined ? undefined : readGuid(raw.scopeId, 'scopeId', fail);
  const adoption =
    raw.adopt === undefined ? undefined : readAdoption(raw.adopt, 'adopt', { certificates, owners, scopeId: givenScopeId, isReference }, fail);
  const cloud = raw.cloud === undefined ? CLOUDS.public : mapDefined(readOneOf(raw.cloud, 'cloud', CLOUD_NAMES, fail), (c) => CLOUDS[c]);
  const consentTexts = readConsentTexts(raw.consentTexts, fail);
  if (!ok) return undefined;
  // The same reference in both is taken as the deploying identity (RestorePortalApp); the same object ID
  // keeps its owner resource, which states may hold (a registration a person created, handed to CI).
  const deployerAsOwner =
    deployingIdentityObjectId !== undefined && !isReference(deployingIdentityObjectId) && !adoption ? owners!.indexOf(deployingIdentityObjectId) : -1;
  if (deployerAsOwner >= 0) warn(fieldPath('owners', deployerAsOwner), DEPLOYER_IN_OWNERS);
  return {
    displayName: displayName!,
    redirectUris: redirectUris!,
    certificates: certificates!,
    owners: owners!,
    deployingIdentityObjectId,
    scopeId: adoption?.scopeId ?? givenScopeId ?? source.defaultScopeId,
    consentTexts: consentTexts!,
    cloud: cloud!,
    adoption,
  };
}

const DEPLOYER_IN_OWNERS =
  'is the deploying identity (deployingIdentityObjectId): Entra makes it the owner of the registration it creates, and adding it again fails the first apply; leave it out of owners: it stays an owner of the service principal all the same';

function readOwners(value: unknown, report: Report, isReference: (value: unknown) => value is string): string[] | undefined {
  const list = readArray(value, 'owners', report);
  if (!list) return undefined;
  const owners: string[] = [];
  list.forEach((entry, index) => {
    const owner = isReference(entry) ? entry : readGuid(entry, fieldPath('owners', index), report, 'an object ID, a GUID');
    if (!owner) return;
    if (owners.includes(owner)) {
      report(fieldPath('owners', index), `lists ${isReference(owner) ? 'the same Terraform reference' : owner} a second time; list each owner once`);
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
