import { ACCESS_AS_USER, GRAPH_USER_READ_CLAIM } from '../construct/well-known';
import type { AzCommands } from './az-commands';
import { dateOf, quoted, type AuditFinding } from './audit-finding';
import type { LiveCredential, LiveGrant, LiveServicePrincipal } from './registration-reads';

/** What the code puts in one tenant for the application's service principal. */
export interface ExpectedServicePrincipal {
  /** The environment file, for messages. */
  readonly file: string;
  /** The stack that makes the service principal and its consent there (`prod`, `prod-tenant-contoso`). */
  readonly stack: string;
  /** The environment's own tenant (true), or a customer's. */
  readonly home: boolean;
  /** Owners the code gives it: the deploying identity and `owners` at home (the provider removes any other); none in a customer tenant. */
  readonly owners: readonly string[];
  /** The deploying identity, which must stay an owner at home. */
  readonly deployer?: string;
  /** The admin consent URL of this tenant, for a customer's admin who consents without the stack. */
  readonly consentUrl: string;
}

/** Whether the tenant's users can sign in: the service principal is there, enabled, with admin consent for both permissions. */
export interface Consent {
  readonly consented: boolean;
  /** Why not, in a few words ("no service principal", "admin consent for User.Read missing"); "consented" when it is. */
  readonly state: string;
}

/**
 * Everything on the service principal that the code did not put there (credentials, owners,
 * application permissions, other delegated grants), and what the portal needs that is missing or
 * off (the service principal itself, sign-in enabled, the two admin consent grants). `sp` undefined:
 * the tenant has none.
 */
export function auditServicePrincipal(
  sp: LiveServicePrincipal | undefined,
  expected: ExpectedServicePrincipal,
  az: AzCommands,
): { findings: AuditFinding[]; consent: Consent } {
  if (!sp) {
    const finding: AuditFinding = expected.home
      ? {
          kind: 'service-principal-missing',
          object: 'service principal',
          message: 'Enterprise applications: the tenant has no service principal of the application: nobody can sign in to the Restore Portal, and admin consent has nothing to be given to',
          fix: `applying ${expected.stack} creates it`,
        }
      : {
          kind: 'consent-missing',
          object: 'service principal',
          message: "Enterprise applications: the customer's tenant has no service principal of the Restore Portal: it is not consented, and its users cannot sign in",
          fix: `applying ${expected.stack} creates it with admin consent; or the customer's admin opens ${expected.consentUrl}`,
        };
    return { findings: [finding], consent: { consented: false, state: 'not consented: no service principal' } };
  }
  const grants = grantFindings(sp, expected, az);
  const findings = [
    ...(sp.accountEnabled ? [] : [disabled(sp, az)]),
    ...credentialFindings(sp.passwordCredentials, 'service-principal-secret', 'Client secrets', sp, az),
    ...credentialFindings(sp.keyCredentials, 'service-principal-certificate', 'Certificates', sp, az),
    ...ownerFindings(sp, expected, az),
    ...sp.appRoleAssignments.map((assignment): AuditFinding => ({
      kind: 'application-permission',
      object: 'service principal',
      message: `Permissions → Admin consent → application permission ${assignment.appRoleId ?? '(no role ID)'} of ${quoted(assignment.resourceDisplayName)} (service principal ${assignment.resourceId ?? 'unknown'})${dateOf(assignment.created) ? `, granted ${dateOf(assignment.created)}` : ''}: the code grants no application permission, and with one the application acts without any user signing in`,
      id: assignment.id,
      added: dateOf(assignment.created),
      fix: 'remove it', command: az.removeAppRoleAssignment(sp.objectId, assignment.id),
    })),
    ...grants.findings,
  ];
  const state = !sp.accountEnabled ? 'not consented: sign-in disabled' : grants.missing.length > 0 ? `not consented: admin consent for ${grants.missing.join(' and ')} missing` : 'consented';
  return { findings, consent: { consented: state === 'consented', state } };
}

function disabled(sp: LiveServicePrincipal, az: AzCommands): AuditFinding {
  return {
    kind: 'service-principal-disabled',
    object: 'service principal',
    message: 'Enterprise applications → Properties: "Enabled for users to sign-in?" is No: nobody in this tenant can sign in to the Restore Portal',
    id: sp.objectId,
    fix: 'enable it', command: az.enableServicePrincipal(sp.objectId),
  };
}

function credentialFindings(
  credentials: readonly LiveCredential[],
  kind: 'service-principal-secret' | 'service-principal-certificate',
  section: string,
  sp: LiveServicePrincipal,
  az: AzCommands,
): AuditFinding[] {
  return credentials.map((credential) => ({
    kind,
    object: 'service principal',
    message: `Enterprise applications → ${section} of the service principal: ${quoted(credential.displayName)} (key ID ${credential.keyId}${credential.end ? `, valid until ${dateOf(credential.end) ?? credential.end}` : ''}): the code adds none, and whoever holds it signs in as the service principal`,
    id: credential.keyId,
    added: dateOf(credential.start),
    fix: 'remove it', command: az.removeServicePrincipalCredential(sp.objectId, credential.keyId, kind === 'service-principal-certificate'),
  }));
}

function ownerFindings(sp: LiveServicePrincipal, expected: ExpectedServicePrincipal, az: AzCommands): AuditFinding[] {
  const wanted = new Set(expected.owners);
  const findings: AuditFinding[] = sp.owners
    .filter((owner) => !wanted.has(owner.id))
    .map((owner) => ({
      kind: 'owner',
      object: 'service principal',
      message: `Enterprise applications → Owners: ${owner.kind} ${quoted(owner.displayName)}${owner.detail ? ` (${owner.detail})` : ''}, object ID ${owner.id}: ${expected.home ? `not in owners of ${expected.file}` : 'the code gives the service principal in a customer tenant no owner'}; an owner can add credentials to the service principal`,
      id: owner.id,
      fix: `${expected.home ? `if it is meant, add it to owners in ${expected.file}; otherwise ` : ''}remove it`,
      command: az.removeServicePrincipalOwner(sp.objectId, owner.id),
    }));
  const deployer = expected.deployer;
  if (expected.home && deployer && !sp.owners.some((owner) => owner.id === deployer)) {
    findings.push({
      kind: 'owner-missing',
      object: 'service principal',
      message: `Enterprise applications → Owners: the deploying identity ${deployer} (deployingIdentityObjectId of ${expected.file}) is not an owner: with Application.ReadWrite.OwnedBy it can no longer apply ${expected.stack}`,
      id: deployer,
      fix: 'make it an owner again', command: az.addServicePrincipalOwner(sp.objectId, deployer),
    });
  }
  return findings;
}

/**
 * The code makes two grants for all users: User.Read on Microsoft Graph and access_as_user on the
 * application itself. Anything else granted to the service principal (more scopes in those two, a
 * grant on another API, a single user's consent) is a finding, and so is either of the two missing.
 */
function grantFindings(sp: LiveServicePrincipal, expected: ExpectedServicePrincipal, az: AzCommands): { findings: AuditFinding[]; missing: string[] } {
  const required = [
    { resourceId: sp.graphServicePrincipalId, scope: GRAPH_USER_READ_CLAIM, api: 'Microsoft Graph' },
    { resourceId: sp.objectId, scope: ACCESS_AS_USER, api: 'the Restore Portal itself' },
  ];
  const findings: AuditFinding[] = [];
  const missing: string[] = [];
  const used = new Set<LiveGrant>();
  for (const want of required) {
    const grant = want.resourceId === undefined ? undefined : sp.grants.find((g) => g.consentType === 'AllPrincipals' && g.resourceId === want.resourceId && !used.has(g));
    if (grant) used.add(grant);
    if (!grant || !grant.scopes.includes(want.scope)) {
      missing.push(want.scope);
      findings.push({
        kind: 'consent-missing',
        object: 'service principal',
        message: `Permissions → Admin consent: ${want.scope} on ${want.api} is not granted for all users: users of this tenant cannot sign in to the Restore Portal`,
        ...(grant ? { id: grant.id } : {}),
        fix: `applying ${expected.stack} grants it${expected.home ? '' : `; or the customer's admin opens ${expected.consentUrl}`}`,
      });
    }
    const more = grant?.scopes.filter((scope) => scope !== want.scope) ?? [];
    if (grant && more.length > 0) {
      findings.push({
        kind: 'delegated-permission',
        object: 'service principal',
        message: `Permissions → Admin consent: the grant on ${want.api} also gives ${more.join(' ')} for all users: the code consents to ${want.scope} only`,
        id: grant.id,
        fix: 'take the others back', command: az.setGrantScope(grant.id, want.scope),
      });
    }
  }
  for (const grant of sp.grants.filter((g) => !used.has(g))) {
    const api = grant.resourceId === sp.graphServicePrincipalId ? 'Microsoft Graph' : grant.resourceId === sp.objectId ? 'the Restore Portal itself' : `the API of service principal ${grant.resourceId ?? 'unknown'}`;
    const who = grant.consentType === 'AllPrincipals' ? 'for all users (admin consent)' : `for the user ${grant.principalId ?? 'unknown'} (user consent)`;
    findings.push({
      kind: 'delegated-permission',
      object: 'service principal',
      message: `Permissions: ${grant.scopes.join(' ') || '(no scope)'} on ${api} granted ${who}: the code consents to User.Read on Microsoft Graph and ${ACCESS_AS_USER} on the Restore Portal, for all users, and nothing else`,
      id: grant.id,
      fix: 'remove it', command: az.removeGrant(grant.id),
    });
  }
  return { findings, missing };
}
