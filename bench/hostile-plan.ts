import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A saved plan as hostile as issue 19 found (3 MB): the shipped fixture's service principal updated
 * from `owners` owners to as many others, so that every owner is both removed and added. Reading it
 * once took 635 s, a list scan per owner.
 */
export function writeHostilePlan(repoRoot: string, file: string, owners = 40_000): void {
  const plan = JSON.parse(readFileSync(join(repoRoot, '__tests__/fixtures/plans/no-changes.json'), 'utf8'));
  const servicePrincipal = plan.resource_changes.find((change: { type: string }) => change.type === 'azuread_service_principal');
  const ids = (prefix: string) => Array.from({ length: owners }, (_, i) => `${prefix}${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`);
  servicePrincipal.change.actions = ['update'];
  servicePrincipal.change.before.owners = ids('a');
  servicePrincipal.change.after.owners = ids('b');
  writeFileSync(file, JSON.stringify(plan));
}
