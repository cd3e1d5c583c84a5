import type { ResourceChange, TerraformPlan } from './terraform-plan';
import type { ChangeKind, ReportItem } from './report-item';
import { diff, isUnknown, list, shortThumbprint, text, thumbprintOf, valuesOf } from './plan-values';
import { KINDS, kindOf, type Context, type PlanContext } from './resource-wording';
import { ACCESS_AS_USER } from '../../construct/well-known';

/** Changes after which restores stop working or every VB365 server must be reconfigured; shown first. */
export function findDangers(plan: TerraformPlan, planContext: PlanContext): ReportItem[] {
  const context: Context = { ...planContext, perspective: 'change', outside: '' };
  const dangers: ReportItem[] = [];
  const danger = (entry: ResourceChange, action: ChangeKind, message: string) =>
    dangers.push({ address: entry.address, type: entry.type, action, message });

  const deletedOutside = new Set<string>();
  for (const entry of plan.resourceDrift) {
    if (entry.type === 'azuread_application_registration' && kindOf(entry) === 'delete') {
      deletedOutside.add(entry.address);
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
  // First of all: a second registration is the one danger that looks like an ordinary first deployment.
  return [...newRegistrationDangers(plan.resourceChanges, deletedOutside, context), ...dangers];
}

/**
 * How the plan says that applying it creates an application registration: a danger of this type and
 * action, which the apply gate lets through only when acknowledged (`--accept-new-registration`).
 */
export const NEW_REGISTRATION = { type: 'azuread_application_registration', action: 'create' } as const;

/**
 * A registration the plan creates (not replaces). Right for a first deployment; otherwise the
 * stack's state went missing (its backend key, path or workspace changed, or the state was deleted)
 * and applying registers a second application with a new Application ID, while every VB365 server
 * keeps the old one. The plan cannot tell the two apart; whoever applies it must.
 */
function newRegistrationDangers(changes: readonly ResourceChange[], deletedOutside: ReadonlySet<string>, context: Context): ReportItem[] {
  const acknowledge = 'applying it needs an acknowledgement (apply.yml: new-registration; the gate: --accept-new-registration)';
  return changes
    .filter((entry) => entry.mode === 'managed' && entry.type === NEW_REGISTRATION.type && kindOf(entry) === 'create')
    .map((entry) => {
      const what = KINDS[entry.type].what(entry.after ?? {}, entry, context);
      const message = deletedOutside.has(entry.address)
        ? `${what} will be created, with a new Application ID, in place of the one deleted in Entra: restoring that one from Deleted applications (within 30 days) keeps its ID; ${acknowledge}`
        : `${what} will be created, with a new Application ID: right for the first deployment of an environment; otherwise this stack's state was lost (its backend key, path or workspace changed, or the state was deleted) and the registration every VB365 server uses stays while a second one is made: check the state before applying; ${acknowledge}`;
      return { address: entry.address, type: entry.type, action: NEW_REGISTRATION.action, message };
    });
}

/**
 * For each application: certificates removed while no valid one stays. Valid is judged at the time
 * of the plan, by start and end date: a certificate that starts later (a rotation staged ahead)
 * cannot sign VB365 in before then.
 */
function lastCertificateDangers(changes: readonly ResourceChange[], context: Context): ReportItem[] {
  const byApplication = new Map<string, { removed: ResourceChange[]; validRemaining: number; notYetValid: ResourceChange[] }>();
  const now = context.now.getTime();
  for (const entry of changes) {
    if (entry.type !== 'azuread_application_certificate' || entry.mode !== 'managed') continue;
    const kind = kindOf(entry) ?? 'no-op';
    const values = entry.after ?? entry.before ?? {};
    const key = text(values, 'application_id') ?? '(new application)';
    const group = byApplication.get(key) ?? { removed: [], validRemaining: 0, notYetValid: [] };
    byApplication.set(key, group);
    if (kind === 'delete' || kind === 'forget') {
      group.removed.push(entry);
      continue;
    }
    const [start, end] = [text(values, 'start_date'), text(values, 'end_date')];
    // Left out or known only after apply, the start is when Entra gets the certificate: now.
    const started = start === undefined || isUnknown(entry.afterUnknown, 'start_date') || new Date(start).getTime() <= now;
    const ended = end !== undefined && !(new Date(end).getTime() > now);
    if (started && !ended) group.validRemaining++;
    else if (!started && !ended) group.notYetValid.push(entry);
  }
  return [...byApplication.values()]
    .filter((group) => group.removed.length > 0 && group.validRemaining === 0)
    .map((group) => {
      const entry = group.removed[0];
      const thumbprints = group.removed.map((e) => shortThumbprint(thumbprintOf(e.before ?? {}, e))).join(', ');
      const later = group.notYetValid.map((e) => `${shortThumbprint(thumbprintOf(valuesOf(e), e))} valid from ${text(valuesOf(e), 'start_date')!.slice(0, 10)}`);
      const message =
        later.length === 0
          ? `the last valid certificate (${thumbprints}) will be removed: VB365 can no longer authenticate to Entra; add its next certificate first`
          : `the last valid certificate (${thumbprints}) will be removed, and the ${later.length === 1 ? 'one' : 'ones'} left ${later.length === 1 ? 'is' : 'are'} not valid yet (${later.join(', ')}): VB365 cannot authenticate to Entra until then; keep the old certificate until the new one's start date`;
      return { address: entry.address, type: entry.type, action: kindOf(entry) ?? 'delete', message };
    });
}

