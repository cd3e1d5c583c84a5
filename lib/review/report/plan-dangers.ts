import type { ResourceChange, TerraformPlan } from './terraform-plan';
import type { ChangeKind, ReportItem } from './report-item';
import { diff, list, shortThumbprint, text, thumbprintOf } from './plan-values';
import { KINDS, kindOf, type Context, type PlanContext } from './resource-wording';
import { ACCESS_AS_USER } from '../../construct/well-known';

/** Changes after which restores stop working or every VB365 server must be reconfigured; shown first. */
export function findDangers(plan: TerraformPlan, planContext: PlanContext): ReportItem[] {
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

