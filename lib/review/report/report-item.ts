import type { PlanAction } from './terraform-plan';

/**
 * What happens to one resource, in the words of a plan: replace is delete and create together;
 * import brings an existing object under Terraform (adoption), with or without an update; move gives
 * an object in the state a new address (a `moved` block), with or without an update.
 */
export type ChangeKind = 'import' | 'move' | 'create' | 'update' | 'replace' | 'delete' | 'forget';

/** What the plan's actions do to the object; importing and moving are read separately (`importing`, `previousAddress`). */
export type ActionKind = Exclude<ChangeKind, 'import' | 'move'>;

/** One line of the report, in the portal's words, with the Terraform address it comes from. */
export interface ReportItem {
  readonly address: string;
  /** Resource type (`azuread_application_redirect_uris`), or `output` for a root output. */
  readonly type: string;
  readonly action: ChangeKind;
  readonly message: string;
}

export function kindOfActions(actions: readonly PlanAction[]): ActionKind | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  for (const kind of ['create', 'update', 'delete', 'forget'] as const) if (actions.includes(kind)) return kind;
  return undefined;
}
