import { X509Certificate } from 'node:crypto';
import type { PlanAction, ResourceChange, TerraformPlan, Values } from './terraform-plan';
import { ACCESS_AS_USER, GRAPH_USER_READ_CLAIM, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../construct/well-known';

/**
 * What happens to one resource, in the words of a plan: replace is delete and create together;
 * import brings an existing object under Terraform (adoption), with or without an update.
 */
export type ChangeKind = 'import' | 'create' | 'update' | 'replace' | 'delete' | 'forget';

/** One line of the report, in the portal's words, with the Terraform address it comes from. */
export interface ReportItem {
  readonly address: string;
  /** Resource type (`azuread_application_redirect_uris`), or `output` for a root output. */
  readonly type: string;
  readonly action: ChangeKind;
  readonly message: string;
}

/** One environment's plan, read for people who know the Entra portal rather than Terraform. */
export interface PlanReport {
  readonly environment: string;
  readonly terraformVersion?: string;
  /** Changes that break sign-in or force VB365 to be reconfigured; shown first. */
  readonly dangers: readonly ReportItem[];
  /** Changes made outside Terraform since the last apply (`resource_drift`). */
  readonly drift: readonly ReportItem[];
  /** Changes applying the code would make (`resource_changes`, `output_changes`). */
  readonly changes: readonly ReportItem[];
  /** The digest of the planned changes (`plan-digest.ts`): what a reviewer approves. */
  readonly digest: string;
}

/** Whether the report shows anything to act on: the commands exit 2 then. */
export function hasChanges(report: PlanReport): boolean {
  return report.dangers.length + report.drift.length + report.changes.length > 0;
}

/** Reads a plan for people; keyed on resource types and attributes, so renamed or new stacks keep working. */
export function buildPlanReport(plan: TerraformPlan, environment: string): PlanReport {
  const context = contextOf(plan);
  const describe = (entries: readonly ResourceChange[], perspective: Perspective): ReportItem[] =>
    entries.flatMap((entry) => {
      const outside = perspective === 'drift' ? ' outside Terraform' : '';
      const item = (action: ChangeKind) => (message: string) => ({ address: entry.address, type: entry.type, action, message });
      const kind = kindOf(entry);
      const changes = kind ? describeChange(entry, kind, { ...context, perspective, outside }).map(item(kind)) : [];
      if (perspective === 'drift' || entry.importingId === undefined) return changes;
      return [item('import')(describeImport(entry, { ...context, perspective, outside })), ...changes];
    });
  const managed = (entries: readonly ResourceChange[]) => entries.filter((e) => e.mode === 'managed');
  const outputs = Object.entries(plan.outputChanges).flatMap(([name, change]): ReportItem[] => {
    const kind = kindOfActions(change.actions);
    if (!kind) return [];
    const verb = kind === 'create' ? 'added' : kind === 'delete' ? 'removed' : 'changes';
    const what = isCrossStackOutput(name) ? 'client ID output for the customer tenant stacks' : `output ${name}`;
    return [{ address: `output.${name}`, type: 'output', action: kind, message: `${what} ${verb}` }];
  });
  return {
    environment,
    terraformVersion: plan.terraformVersion,
    dangers: findDangers(plan, context),
    drift: describe(managed(plan.resourceDrift), 'drift'),
    changes: [...describe(managed(plan.resourceChanges), 'change'), ...outputs],
    digest: plan.digest,
  };
}

/**
 * Whether a root output is one cdktf adds for a reference from another stack
 * (`TerraformStack.registerOutgoingCrossStackReference`): the client ID customer tenant stacks read.
 */
export function isCrossStackOutput(name: string): boolean {
  return name.startsWith('cross-stack-output-');
}

/** A thumbprint shortened as the portal's lists show it: first and last four hex digits. */
export function shortThumbprint(thumbprint: string): string {
  return thumbprint.length > 8 ? `${thumbprint.slice(0, 4)}…${thumbprint.slice(-4)}` : thumbprint;
}

type Perspective = 'change' | 'drift';

interface PlanContext {
  /** Scope ID to scope value (`access_as_user`), from the plan's permission scopes. */
  readonly scopeNames: ReadonlyMap<string, string>;
  /** Client IDs of the registrations in the plan: an API or client that is the app itself. */
  readonly ownClientIds: ReadonlySet<string>;
  /** Redirect URIs added outside Terraform, by address: removing them reverts drift, it breaks nothing planned. */
  readonly addedOutside: ReadonlyMap<string, ReadonlySet<string>>;
  /** The time certificates are judged valid at. */
  readonly now: Date;
}

interface Context extends PlanContext {
  readonly perspective: Perspective;
  /** " outside Terraform" when describing drift. */
  readonly outside: string;
}

function contextOf(plan: TerraformPlan): PlanContext {
  const scopeNames = new Map<string, string>([[GRAPH_USER_READ_SCOPE_ID, GRAPH_USER_READ_CLAIM]]);
  const ownClientIds = new Set<string>();
  for (const entry of [...plan.resourceChanges, ...plan.resourceDrift]) {
    for (const values of [entry.before, entry.after]) {
      if (!values) continue;
      if (entry.type === 'azuread_application_permission_scope') {
        const id = text(values, 'scope_id');
        if (id) scopeNames.set(id, text(values, 'value') ?? ACCESS_AS_USER);
      }
      if (entry.type === 'azuread_application_registration' && text(values, 'client_id')) ownClientIds.add(text(values, 'client_id')!);
    }
  }
  const addedOutside = new Map<string, Set<string>>();
  for (const entry of plan.resourceDrift) {
    if (entry.type !== 'azuread_application_redirect_uris') continue;
    addedOutside.set(entry.address, new Set(diff(list(entry.before, 'redirect_uris'), list(entry.after, 'redirect_uris')).added));
  }
  return { scopeNames, ownClientIds, addedOutside, now: plan.timestamp ?? new Date() };
}

/** What the plan's actions do to the object; importing is read separately (`importingId`). */
type ActionKind = Exclude<ChangeKind, 'import'>;

function kindOf(entry: ResourceChange): ActionKind | undefined {
  return kindOfActions(entry.actions);
}

function kindOfActions(actions: readonly PlanAction[]): ActionKind | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  for (const kind of ['create', 'update', 'delete', 'forget'] as const) if (actions.includes(kind)) return kind;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What each resource type is, in the portal's words

interface ResourceKind {
  /** The resource for people, from its values (`certificate 2A29…A5FF`). */
  what(values: Values, entry: ResourceChange, context: Context): string;
  /** Lines for a new resource. @default "<what> created" */
  created?(values: Values, entry: ResourceChange, context: Context): string[];
  /** Lines for a resource removed by the code or deleted outside Terraform. @default "<what> deleted" */
  deleted?(values: Values, entry: ResourceChange, context: Context): string[];
  /** Attributes with their own wording; others are listed by name with old and new value. */
  readonly attributes?: Readonly<Record<string, AttributeWording>>;
}

type AttributeWording = (before: unknown, after: unknown, context: Context, entry: ResourceChange) => string[];

const added = (context: Context) => (context.perspective === 'drift' ? 'added outside Terraform' : 'added');
const removed = (context: Context) => (context.perspective === 'drift' ? 'removed outside Terraform' : 'removed');
const toggled = (label: string): AttributeWording => (_, after, context) => [
  `${label} turned ${after === true ? 'on' : 'off'}${context.outside}`,
];
/** Items added to and removed from a list; an item whose ID changed but whose name did not shows as one change. */
const listed = (item: (value: string, context: Context, entry: ResourceChange) => string): AttributeWording => (before, after, context, entry) => {
  const change = diff(strings(before), strings(after));
  const name = (value: string) => item(value, context, entry);
  const lines: string[] = [];
  const renamed = new Set<string>();
  for (const value of change.added) {
    const old = change.removed.find((r) => !renamed.has(r) && name(r) === name(value));
    if (old === undefined) {
      lines.push(`${name(value)} ${added(context)}`);
    } else {
      renamed.add(old);
      lines.push(`${name(value)}${changed(context)}: ${old} → ${value}`);
    }
  }
  for (const value of change.removed) if (!renamed.has(value)) lines.push(`${name(value)} ${removed(context)}`);
  return lines;
};
const changed = (context: Context) => (context.perspective === 'drift' ? ' changed outside Terraform' : '');
const labelled = (label: string): AttributeWording => (before, after, context) => [`${label}${changed(context)}: ${show(before)} → ${show(after)}`];

/** An empty entry (the article's registration has one) is named so, not left as a blank. */
const redirectUri = (uri: string) => (uri.trim() === '' ? 'empty redirect URI entry' : `redirect URI ${uri}`);
const scopeName = (id: string, context: Context) => context.scopeNames.get(id) ?? `scope ${id}`;
// A client ID known only after apply belongs to a registration created by the same plan: the app's own.
const isOwn = (clientId: string | undefined, context: Context) => clientId === undefined || context.ownClientIds.has(clientId);
const apiName = (clientId: string | undefined, context: Context) =>
  clientId === MICROSOFT_GRAPH_CLIENT_ID ? 'Microsoft Graph' : isOwn(clientId, context) ? 'its own API' : `API ${clientId}`;
const clientName = (clientId: string | undefined, context: Context) => (isOwn(clientId, context) ? 'its own client' : `client ${clientId}`);
const apiPermission = (values: Values, scopeId: string, context: Context) =>
  `API permission ${scopeName(scopeId, context)} on ${apiName(text(values, 'api_client_id'), context)}`;
const consentFor = (values: Values) => `admin consent for ${list(values, 'claim_values').join(', ') || 'no permission'}`;

const KINDS: Readonly<Record<string, ResourceKind>> = {
  azuread_application_registration: {
    what: (v, e) => `application registration "${text(v, 'display_name') ?? e.name}"`,
    created: (v, e) => [`application registration "${text(v, 'display_name') ?? e.name}" created, with a new Application ID`],
    attributes: {
      display_name: labelled('display name'),
      sign_in_audience: labelled('sign-in audience'),
      implicit_id_token_issuance_enabled: toggled('ID token issuance (implicit grant)'),
      implicit_access_token_issuance_enabled: toggled('access token issuance (implicit grant)'),
      requested_access_token_version: labelled('access token version'),
      notes: (_, __, context) => [`notes changed${context.outside}`],
    },
  },
  azuread_service_principal: {
    what: () => 'service principal (Enterprise application)',
    attributes: {
      feature_tags: (before, after, context) => {
        const enterprise = (tags: unknown) => Array.isArray(tags) && tags.some((t) => (t as Values)?.enterprise === true);
        return enterprise(before) === enterprise(after)
          ? [`feature tags changed${context.outside}`]
          : [`${enterprise(after) ? 'listed' : 'no longer listed'} under Enterprise applications${context.outside}`];
      },
      owners: listed((owner) => `service principal owner ${owner}`),
      app_role_assignment_required: toggled('user assignment required'),
      account_enabled: toggled('sign-in to the service principal'),
    },
  },
  azuread_application_redirect_uris: {
    what: (v) => `redirect URIs (${text(v, 'type') ?? 'SPA'})`,
    created: (v, _, context) => list(v, 'redirect_uris').map((uri) => `${redirectUri(uri)} ${added(context)}`),
    deleted: (v, _, context) => list(v, 'redirect_uris').map((uri) => `${redirectUri(uri)} ${removed(context)}`),
    attributes: {
      redirect_uris: (before, after, context, entry) => {
        const change = diff(strings(before), strings(after));
        const revertsDrift = context.perspective === 'change' ? (context.addedOutside.get(entry.address) ?? new Set()) : new Set();
        return [
          ...change.added.map((uri) => `${redirectUri(uri)} ${added(context)}`),
          ...change.removed.map((uri) =>
            revertsDrift.has(uri) ? `${redirectUri(uri)} removed again (it was added outside Terraform)` : `${redirectUri(uri)} ${removed(context)}`,
          ),
        ];
      },
    },
  },
  azuread_application_permission_scope: {
    what: (v) => `scope ${text(v, 'value') ?? ACCESS_AS_USER}`,
    created: (v, e) => [`scope ${text(v, 'value') ?? ACCESS_AS_USER} exposed (ID ${showAttribute(e, 'after', 'scope_id')})`],
    attributes: {
      scope_id: labelled('scope ID'),
      value: labelled('scope value'),
      type: labelled('who may consent (Admin or User)'),
      admin_consent_display_name: labelled('admin consent display name'),
      admin_consent_description: labelled('admin consent description'),
      user_consent_display_name: labelled('user consent display name'),
      user_consent_description: labelled('user consent description'),
    },
  },
  azuread_application_certificate: {
    what: (v, e) => `certificate ${shortThumbprint(thumbprintOf(v, e))}`,
    created: (v, e) => {
      const end = text(v, 'end_date');
      return [`certificate ${shortThumbprint(thumbprintOf(v, e))} added${end ? ` (valid until ${end.slice(0, 10)})` : ''}`];
    },
    deleted: (v, e, context) => [`certificate ${shortThumbprint(thumbprintOf(v, e))} ${context.perspective === 'drift' ? 'deleted outside Terraform' : 'removed'}`],
  },
  azuread_service_principal_delegated_permission_grant: {
    what: (v) => consentFor(v),
    created: (v) => [`${consentFor(v)} granted ${text(v, 'user_object_id') ? `for user ${text(v, 'user_object_id')}` : 'for all users'}`],
    deleted: (v, _, context) => [`${consentFor(v)} ${context.perspective === 'drift' ? 'removed outside Terraform' : 'revoked'}`],
    attributes: {
      claim_values: (before, after, context) => {
        const change = diff(strings(before), strings(after));
        const drift = context.perspective === 'drift';
        return [
          ...change.added.map((c) => `admin consent for ${c} ${drift ? 'added outside Terraform' : 'granted'}`),
          ...change.removed.map((c) => `admin consent for ${c} ${drift ? 'removed outside Terraform' : 'revoked'}`),
        ];
      },
    },
  },
  azuread_application_api_access: {
    what: (v, _, context) => `API permissions on ${apiName(text(v, 'api_client_id'), context)}`,
    created: (v, _, context) => list(v, 'scope_ids').map((id) => `${apiPermission(v, id, context)} requested`),
    deleted: (v, _, context) => list(v, 'scope_ids').map((id) => `${apiPermission(v, id, context)} ${removed(context)}`),
    attributes: { scope_ids: listed((id, context, entry) => apiPermission(valuesOf(entry), id, context)) },
  },
  azuread_application_pre_authorized: {
    what: (v, _, context) => `pre-authorization of ${clientName(text(v, 'authorized_client_id'), context)}`,
    created: (v, _, context) =>
      list(v, 'permission_ids').map((id) => `${clientName(text(v, 'authorized_client_id'), context)} pre-authorized for ${scopeName(id, context)}`),
    attributes: {
      permission_ids: listed((id, context, entry) => `pre-authorization of ${clientName(text(valuesOf(entry), 'authorized_client_id'), context)} for ${scopeName(id, context)}`),
    },
  },
  azuread_application_identifier_uri: {
    what: (v) => `identifier URI ${text(v, 'identifier_uri') ?? ''}`.trim(),
    created: (v, e) => [`identifier URI ${isUnknown(e.afterUnknown, 'identifier_uri') ? 'api://<new Application ID>' : (text(v, 'identifier_uri') ?? '')} set`],
    deleted: (v, _, context) => [`identifier URI ${text(v, 'identifier_uri') ?? ''} ${removed(context)}`],
    attributes: { identifier_uri: labelled('identifier URI') },
  },
  azuread_application_fallback_public_client: {
    what: () => 'public client flows (device code sign-in)',
    created: (v) => [`public client flows (device code sign-in) turned ${v.enabled === false ? 'off' : 'on'}`],
    deleted: (_, __, context) => [`public client flows (device code sign-in) setting ${removed(context)}`],
    attributes: { enabled: toggled('public client flows (device code sign-in)') },
  },
  azuread_application_owner: {
    what: (v) => `owner ${text(v, 'owner_object_id') ?? ''}`.trim(),
    created: (v) => [`owner ${text(v, 'owner_object_id')} added`],
    deleted: (v, _, context) => [`owner ${text(v, 'owner_object_id')} ${removed(context)}`],
  },
};

const GENERIC: ResourceKind = { what: (_, e) => `${e.type} ${e.name}` };

/** Attributes that say nothing to a person: identifiers derived from others, and timeouts. */
const IGNORED_ATTRIBUTES = new Set(['id', 'timeouts']);

function describeChange(entry: ResourceChange, kind: ActionKind, context: Context): string[] {
  const resource = KINDS[entry.type] ?? GENERIC;
  const what = resource.what(valuesOf(entry), entry, context);
  switch (kind) {
    case 'create':
      return resource.created?.(entry.after ?? {}, entry, context) ?? [`${what} created`];
    case 'delete':
      return resource.deleted?.(entry.before ?? {}, entry, context) ?? [`${what} deleted${context.outside}`];
    case 'forget':
      return [`${what} no longer managed by Terraform (left as it is in Entra)`];
    case 'replace':
      return [`${what} replaced${because(entry)}`];
    case 'update':
      return changedAttributes(entry).flatMap((attribute) => {
        const wording = resource.attributes?.[attribute];
        if (isSensitive(entry.beforeSensitive, attribute) || isSensitive(entry.afterSensitive, attribute)) {
          return [`${what}: ${attribute} changed (sensitive)${context.outside}`];
        }
        if (isUnknown(entry.afterUnknown, attribute)) return [`${what}: ${attribute} changes (known after apply)${context.outside}`];
        if (wording) return wording(entry.before?.[attribute], entry.after?.[attribute], context, entry);
        return [`${what}: ${attribute}${changed(context)}: ${show(entry.before?.[attribute])} → ${show(entry.after?.[attribute])}`];
      });
  }
}

function describeImport(entry: ResourceChange, context: Context): string {
  const what = (KINDS[entry.type] ?? GENERIC).what(valuesOf(entry), entry, context);
  return `${what} imported as it is in Entra (import ID ${entry.importingId})`;
}

function because(entry: ResourceChange): string {
  const attributes = [...new Set(entry.replacePaths.map((path) => String(path[0])))];
  if (attributes.length > 0) return ` (${attributes.join(', ')} cannot change in place)`;
  if (entry.actionReason === 'replace_by_request') return ' (replacement requested)';
  if (entry.actionReason === 'replace_because_tainted') return ' (tainted by a failed apply)';
  return '';
}

function changedAttributes(entry: ResourceChange): string[] {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  if (typeof entry.afterUnknown === 'object' && entry.afterUnknown !== null) {
    for (const [key, unknown] of Object.entries(entry.afterUnknown)) if (unknown === true) keys.add(key);
  }
  return [...keys].filter(
    (key) => !IGNORED_ATTRIBUTES.has(key) && (isUnknown(entry.afterUnknown, key) || JSON.stringify(before[key]) !== JSON.stringify(after[key])),
  );
}

// ---------------------------------------------------------------------------------------------
// Dangers: changes after which restores stop working or every VB365 server must be reconfigured

function findDangers(plan: TerraformPlan, planContext: PlanContext): ReportItem[] {
  const context: Context = { ...planContext, perspective: 'change', outside: '' };
  const dangers: ReportItem[] = [];
  const danger = (entry: ResourceChange, action: ChangeKind, message: string) =>
    dangers.push({ address: entry.address, type: entry.type, action, message });

  for (const entry of plan.resourceDrift) {
    if (entry.type === 'azuread_application_registration' && kindOf(entry) === 'delete') {
      danger(
        entry,
        'delete',
        `${KINDS[entry.type].what(entry.before ?? {}, entry, context)} was deleted outside Terraform: applying registers a new one with a new Application ID, and every VB365 server must be reconfigured; restoring it from Entra's Deleted applications (within 30 days) keeps the ID`,
      );
    }
  }

  for (const entry of plan.resourceChanges) {
    const kind = kindOf(entry);
    if (entry.mode !== 'managed' || !kind) continue;
    const values = entry.before ?? entry.after ?? {};
    const will = kind === 'replace' ? 'will be replaced' : 'will be deleted';
    switch (entry.type) {
      case 'azuread_application_registration':
        if (kind === 'replace' || kind === 'delete') {
          danger(entry, kind, `${KINDS[entry.type].what(values, entry, context)} ${will}: the Application ID changes, and every VB365 server must be reconfigured (Set-VBORestorePortalSettings -ApplicationId)`);
        }
        break;
      case 'azuread_service_principal':
        if (kind === 'replace' || kind === 'delete') {
          danger(entry, kind, `service principal (Enterprise application) ${will}: its admin consent goes with it, and restore operators cannot sign in until consent is granted again`);
        }
        break;
      case 'azuread_application_permission_scope': {
        const oldId = text(entry.before ?? {}, 'scope_id');
        const newId = text(entry.after ?? {}, 'scope_id');
        if (kind === 'delete') {
          danger(entry, kind, `scope ${text(values, 'value') ?? ACCESS_AS_USER} will be deleted: the Restore Portal cannot sign anyone in without it`);
        } else if (oldId && ((newId && newId !== oldId) || entry.replacePaths.some((path) => path[0] === 'scope_id'))) {
          danger(
            entry,
            kind,
            `the ID of scope ${text(values, 'value') ?? ACCESS_AS_USER} changes (${oldId} → ${newId ?? 'known after apply'}): the scope is re-created, sign-ins fail until API access, pre-authorization and consent follow, and customer tenants may have to consent again`,
          );
        }
        break;
      }
      case 'azuread_application_redirect_uris': {
        const before = kind === 'create' ? [] : list(entry.before, 'redirect_uris');
        const after = kind === 'delete' ? [] : list(entry.after, 'redirect_uris');
        const revertsDrift = context.addedOutside.get(entry.address) ?? new Set<string>();
        for (const uri of diff(before, after).removed) {
          // An empty entry never reached a portal: removing it breaks nothing.
          if (revertsDrift.has(uri) || uri.trim() === '') continue;
          danger(entry, kind, `redirect URI ${uri} will be removed: the Restore Portal at that address can no longer sign users in`);
        }
        break;
      }
    }
  }
  dangers.push(...lastCertificateDangers(plan.resourceChanges, context));
  return dangers;
}

/** For each application: certificates removed while no valid one stays. */
function lastCertificateDangers(changes: readonly ResourceChange[], context: Context): ReportItem[] {
  const byApplication = new Map<string, { removed: ResourceChange[]; validRemaining: number }>();
  for (const entry of changes) {
    if (entry.type !== 'azuread_application_certificate' || entry.mode !== 'managed') continue;
    const kind = kindOf(entry) ?? 'no-op';
    const values = entry.after ?? entry.before ?? {};
    const key = text(values, 'application_id') ?? '(new application)';
    const group = byApplication.get(key) ?? { removed: [], validRemaining: 0 };
    byApplication.set(key, group);
    if (kind === 'delete' || kind === 'forget') {
      group.removed.push(entry);
    } else {
      const end = text(values, 'end_date');
      if (!end || new Date(end).getTime() > context.now.getTime()) group.validRemaining++;
    }
  }
  return [...byApplication.values()]
    .filter((group) => group.removed.length > 0 && group.validRemaining === 0)
    .map((group) => {
      const entry = group.removed[0];
      const thumbprints = group.removed.map((e) => shortThumbprint(thumbprintOf(e.before ?? {}, e))).join(', ');
      return {
        address: entry.address,
        type: entry.type,
        action: kindOf(entry) ?? 'delete',
        message: `the last valid certificate (${thumbprints}) will be removed: VB365 can no longer authenticate to Entra; add its next certificate first`,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Values

/** SHA-1 thumbprint of a key credential's certificate, as Windows and VB365 show it. */
function thumbprintOf(values: Values, entry: ResourceChange): string {
  const value = text(values, 'value');
  if (value) {
    try {
      const encoding = text(values, 'encoding') ?? 'pem';
      const certificate = new X509Certificate(encoding === 'pem' ? value : Buffer.from(value, encoding === 'hex' ? 'hex' : 'base64'));
      return certificate.fingerprint.replace(/:/g, '');
    } catch {
      // not a certificate we can read: fall back to the name, which carries the thumbprint
    }
  }
  const fromName = /([0-9a-f]{40})$/i.exec(entry.name)?.[1];
  return (fromName ?? text(values, 'key_id') ?? entry.name).toUpperCase();
}

/** Values after the change where known, before it otherwise: what names the resource. */
function valuesOf(entry: ResourceChange): Values {
  return { ...(entry.before ?? {}), ...(entry.after ?? {}) };
}

function text(values: Values | null, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function list(values: Values | null, key: string): string[] {
  return strings(values?.[key]);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function diff(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((v) => !before.includes(v)), removed: before.filter((v) => !after.includes(v)) };
}

function showAttribute(entry: ResourceChange, side: 'after', key: string): string {
  return isUnknown(entry.afterUnknown, key) ? 'known after apply' : show(entry[side]?.[key]);
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isSensitive(mask: unknown, key: string): boolean {
  if (mask === true) return true;
  if (typeof mask !== 'object' || mask === null) return false;
  return containsTrue((mask as Record<string, unknown>)[key]);
}

function isUnknown(mask: unknown, key: string): boolean {
  return typeof mask === 'object' && mask !== null && (mask as Record<string, unknown>)[key] === true;
}

function containsTrue(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(containsTrue);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsTrue);
  return false;
}
