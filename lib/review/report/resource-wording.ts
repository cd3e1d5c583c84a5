import type { ResourceChange, TerraformPlan, Values } from './terraform-plan';
import { kindOfActions, type ActionKind } from './report-item';
import { changedAttributes } from './attribute-changes';
import { diff, isSensitive, isUnknown, list, shortThumbprint, show, strings, text, thumbprintOf, valuesOf } from './plan-values';
import { redactUserinfo } from '../../construct/redirect-uri';
import { ACCESS_AS_USER, GRAPH_USER_READ_CLAIM, GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../../construct/well-known';

/** Whether a line describes what applying would change, or what changed outside Terraform. */
export type Perspective = 'change' | 'drift';

export interface PlanContext {
  /** Scope ID to scope value (`access_as_user`), from the plan's permission scopes. */
  readonly scopeNames: ReadonlyMap<string, string>;
  /** Client IDs of the registrations in the plan: an API or client that is the app itself. */
  readonly ownClientIds: ReadonlySet<string>;
  /** Redirect URIs added outside Terraform, by address: removing them reverts drift, it breaks nothing planned. */
  readonly addedOutside: ReadonlyMap<string, ReadonlySet<string>>;
  /** Attributes the plan changes, by address: drift on them is what applying would revert. */
  readonly changedByPlan: ReadonlyMap<string, ReadonlySet<string>>;
  /** The time certificates are judged valid at. */
  readonly now: Date;
}

export interface Context extends PlanContext {
  readonly perspective: Perspective;
  /** " outside Terraform" when describing drift. */
  readonly outside: string;
}

export function contextOf(plan: TerraformPlan): PlanContext {
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
  const changedByPlan = new Map<string, Set<string>>();
  for (const entry of plan.resourceChanges) {
    if (kindOf(entry) === 'update') changedByPlan.set(entry.address, new Set(changedAttributes(entry)));
  }
  return { scopeNames, ownClientIds, addedOutside, changedByPlan, now: plan.timestamp ?? new Date() };
}

/** What the plan's actions do to the object; importing and moving are read separately (`importing`, `previousAddress`). */
export function kindOf(entry: ResourceChange): ActionKind | undefined {
  return kindOfActions(entry.actions);
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
  /** Attributes the provider derives from the same Graph property as another: not repeated when that one changes. */
  readonly restates?: Readonly<Record<string, string>>;
}

type AttributeWording = (before: unknown, after: unknown, context: Context, entry: ResourceChange) => string[];

const added = (context: Context) => (context.perspective === 'drift' ? 'added outside Terraform' : 'added');
const removed = (context: Context) => (context.perspective === 'drift' ? 'removed outside Terraform' : 'removed');
const toggled = (label: string): AttributeWording => (_, after, context) => [
  `${label} turned ${after === true ? 'on' : 'off'}${context.outside}`,
];
/**
 * Items added to and removed from a list; an item whose ID changed but whose name did not shows as one change.
 * Removed items are looked up by name, not searched per added item: a saved plan is anyone's file, and
 * one with 40,000 owners before and after must not take minutes.
 */
const listed = (item: (value: string, context: Context, entry: ResourceChange) => string): AttributeWording => (before, after, context, entry) => {
  const change = diff(strings(before), strings(after));
  const name = (value: string) => item(value, context, entry);
  // Per name, the removed items in list order, and how many of them an added item has taken.
  const removedByName = new Map<string, { values: string[]; taken: number }>();
  for (const value of change.removed) {
    const key = name(value);
    const group = removedByName.get(key) ?? { values: [], taken: 0 };
    group.values.push(value);
    removedByName.set(key, group);
  }
  const lines: string[] = [];
  const renamed = new Set<string>();
  for (const value of change.added) {
    const key = name(value);
    const group = removedByName.get(key);
    // A value listed twice is taken once.
    while (group !== undefined && group.taken < group.values.length && renamed.has(group.values[group.taken])) group.taken++;
    if (group === undefined || group.taken === group.values.length) {
      lines.push(`${key} ${added(context)}`);
    } else {
      const old = group.values[group.taken++];
      renamed.add(old);
      lines.push(`${key}${changed(context)}: ${old} → ${value}`);
    }
  }
  for (const value of change.removed) if (!renamed.has(value)) lines.push(`${name(value)} ${removed(context)}`);
  return lines;
};
const changed = (context: Context) => (context.perspective === 'drift' ? ' changed outside Terraform' : '');
const labelled = (label: string): AttributeWording => (before, after, context) => [`${label}${changed(context)}: ${show(before)} → ${show(after)}`];

/**
 * An empty entry (the article's registration has one) is named so, not left as a blank. A user name or
 * password someone put in a URI in the portal is not repeated in a report that becomes a comment.
 */
const redirectUri = (uri: string) => (uri.trim() === '' ? 'empty redirect URI entry' : `redirect URI ${redactUserinfo(uri)}`);
const scopeName = (id: string, context: Context) => context.scopeNames.get(id) ?? `scope ${id}`;
// A client ID known only after apply belongs to a registration created by the same plan: the app's own.
const isOwn = (clientId: string | undefined, context: Context) => clientId === undefined || context.ownClientIds.has(clientId);
const apiName = (clientId: string | undefined, context: Context) =>
  clientId === MICROSOFT_GRAPH_CLIENT_ID ? 'Microsoft Graph' : isOwn(clientId, context) ? 'its own API' : `API ${clientId}`;
const clientName = (clientId: string | undefined, context: Context) => (isOwn(clientId, context) ? 'its own client' : `client ${clientId}`);
const apiPermission = (values: Values, scopeId: string, context: Context) =>
  `API permission ${scopeName(scopeId, context)} on ${apiName(text(values, 'api_client_id'), context)}`;
const consentFor = (values: Values) => `admin consent for ${list(values, 'claim_values').join(', ') || 'no permission'}`;

export const KINDS: Readonly<Record<string, ResourceKind>> = {
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
    // Graph keeps one list of tags; the provider reads it into all three.
    restates: { features: 'feature_tags', tags: 'feature_tags' },
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
    created: (v, e) => [`scope ${text(v, 'value') ?? ACCESS_AS_USER} exposed (ID ${valueAfter(e, 'scope_id')})`],
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
      // The start date shows a rotation staged ahead: a certificate VB365 cannot use before then.
      const [start, end] = [text(v, 'start_date'), text(v, 'end_date')];
      const validity = [start ? `from ${start.slice(0, 10)}` : '', end ? `until ${end.slice(0, 10)}` : ''].filter(Boolean).join(' ');
      return [`certificate ${shortThumbprint(thumbprintOf(v, e))} added${validity ? ` (valid ${validity})` : ''}`];
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

/**
 * A plan names resource types and attributes, and a saved plan is anyone's file: "constructor" or
 * "__proto__" must find no wording (what every object inherits), only the fields written here.
 */
function kindFor(type: string): ResourceKind {
  return ownField(KINDS, type) ?? GENERIC;
}

function ownField<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

const GENERIC: ResourceKind = { what: (_, e) => `${e.type} ${e.name}` };

export function describeChange(entry: ResourceChange, kind: ActionKind, context: Context): string[] {
  const resource = kindFor(entry.type);
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
    case 'update': {
      const attributes = changedAttributes(entry);
      const restated = (attribute: string) => attributes.includes(ownField(resource.restates, attribute) ?? '');
      const lines = attributes
        .filter((attribute) => !restated(attribute) && (context.perspective === 'change' || matters(resource, entry, attribute, context)))
        .flatMap((attribute) => {
          const wording = ownField(resource.attributes, attribute);
          if (isSensitive(entry.beforeSensitive, attribute) || isSensitive(entry.afterSensitive, attribute)) {
            return [`${what}: ${attribute} changed (sensitive)${context.outside}`];
          }
          if (isUnknown(entry.afterUnknown, attribute)) return [`${what}: ${attribute} changes (known after apply)${context.outside}`];
          const [before, after] = [ownField(entry.before ?? undefined, attribute), ownField(entry.after ?? undefined, attribute)];
          if (wording) return wording(before, after, context, entry);
          return [`${what}: ${attribute}${changed(context)}: ${show(before)} → ${show(after)}`];
        });
      if (lines.length > 0 || context.perspective === 'drift') return lines;
      // Terraform updates the object although no value changes as the provider compares them: say so rather than nothing.
      return [`${what} updated in place, with no change the portal shows`];
    }
  }
}

/**
 * Whether a change made outside Terraform is worth reporting: an attribute the portal depends on
 * (one with its own wording), or one that applying the code would revert. Values the provider only
 * fills in on read (`role_ids = []` for `null`, computed names) are neither.
 */
function matters(resource: ResourceKind, entry: ResourceChange, attribute: string, context: Context): boolean {
  if (resource === GENERIC || ownField(resource.attributes, attribute) !== undefined) return true;
  return context.changedByPlan.get(entry.address)?.has(attribute) ?? false;
}

export function describeImport(entry: ResourceChange, context: Context): string {
  const what = kindFor(entry.type).what(valuesOf(entry), entry, context);
  const id = entry.importing?.id;
  return `${what} imported as it is in Entra (${id === undefined ? 'by its identity' : `import ID ${id}`})`;
}

/** A `moved` block: the state's record of the object changes address; Entra is not touched by the move itself. */
export function describeMove(entry: ResourceChange, context: Context): string {
  const what = kindFor(entry.type).what(valuesOf(entry), entry, context);
  return `${what} moved in the state from ${entry.previousAddress} (a moved block; the move itself changes nothing in Entra)`;
}

function because(entry: ResourceChange): string {
  const attributes = [...new Set(entry.replacePaths.map((path) => String(path[0])))];
  if (attributes.length > 0) return ` (${attributes.join(', ')} cannot change in place)`;
  if (entry.actionReason === 'replace_by_request') return ' (replacement requested)';
  if (entry.actionReason === 'replace_because_tainted') return ' (tainted by a failed apply)';
  return '';
}

function valueAfter(entry: ResourceChange, key: string): string {
  return isUnknown(entry.afterUnknown, key) ? 'known after apply' : show(entry.after?.[key]);
}

