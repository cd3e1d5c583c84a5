import type { ResourceChange, TerraformPlan } from './terraform-plan';
import { kindOfActions, type ChangeKind, type ReportItem } from './report-item';
import { findDangers } from './plan-dangers';
import { contextOf, describeChange, describeImport, describeMove, kindOf, type Perspective } from './resource-wording';

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
  /** Why the stack could not be planned (terraform failed, or what it depends on did); its lists are empty then. */
  readonly failure?: string;
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
      // A deposed object shares its address with the current one, which stays: say which is meant.
      const copy = entry.deposed === undefined ? '' : ' (an older copy that an interrupted replacement left behind; the current one stays)';
      const item = (action: ChangeKind) => (message: string) => ({ address: entry.address, type: entry.type, action, message: `${message}${copy}` });
      const kind = kindOf(entry);
      const changes = kind ? describeChange(entry, kind, { ...context, perspective, outside }).map(item(kind)) : [];
      if (perspective === 'drift') return changes;
      // An import or a move changes what the state records, with or without a change in Entra:
      // a plan of only those is not "no changes", and its digest says so too.
      const imported = entry.importing === undefined ? [] : [item('import')(describeImport(entry, { ...context, perspective, outside }))];
      const moved = entry.previousAddress === undefined ? [] : [item('move')(describeMove(entry, { ...context, perspective, outside }))];
      return [...imported, ...moved, ...changes];
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
