import { UserError } from '../../process/command-line';
import { parseJson } from '../../input/json-text';
import { isPlainObject as isObject } from '../../input/field-reader';
import { planDigest } from './plan-digest';
import { deletedRegistrationAdvice } from '../plan-failure';

/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`) the report
 * reads. Format: developer.hashicorp.com/terraform/internals/json-format; fields not named here are
 * ignored, as the format's compatibility promise asks of readers.
 */
export interface TerraformPlan {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  /** When the plan was made (Terraform 1.5 and later); certificate validity is judged at this time. */
  readonly timestamp?: Date;
  readonly resourceChanges: readonly ResourceChange[];
  /** Objects that changed outside Terraform since the last apply (refreshed state against prior state). */
  readonly resourceDrift: readonly ResourceChange[];
  readonly outputChanges: Readonly<Record<string, OutputChange>>;
  /** What the plan would change, as a digest (`plan-digest.ts`): the same for plans of the same changes. */
  readonly digest: string;
}

export type PlanAction = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

export interface ResourceChange {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly actions: readonly PlanAction[];
  /** Attribute values before and after; `null` for an object that does not exist on that side. */
  readonly before: Values | null;
  readonly after: Values | null;
  /** Attributes known only after apply (`true` for a whole attribute, nested for parts of one). */
  readonly afterUnknown: unknown;
  /** Which attributes are sensitive: never shown. */
  readonly beforeSensitive: unknown;
  readonly afterSensitive: unknown;
  /** Attribute paths that force replacement. */
  readonly replacePaths: readonly (readonly (string | number)[])[];
  readonly actionReason?: string;
  /** Set when an `import` block brings an existing object under Terraform (Terraform 1.5+). */
  readonly importing?: {
    /** The import ID; Terraform 1.12 and later may import by identity instead. */
    readonly id?: string;
  };
  /** The address the object had in the state before a `moved` block gave it this one. */
  readonly previousAddress?: string;
  /**
   * Set for a deposed object: an older copy kept at the same address by a create-before-destroy
   * replacement whose apply did not finish (a certificate); the current object is another entry.
   */
  readonly deposed?: string;
}

/** A root output's change; its values are not read, so a sensitive output cannot leak into a report. */
export interface OutputChange {
  readonly actions: readonly PlanAction[];
}

export type Values = Readonly<Record<string, unknown>>;

const ACTIONS: readonly PlanAction[] = ['no-op', 'create', 'read', 'update', 'delete', 'forget'];
const SUPPORTED_MAJOR = '1';

/**
 * Reads plan JSON; anything else (a binary plan file, state, other JSON) is a `UserError` saying what
 * the file is and what to give instead. `label` names the file in messages.
 */
export function readPlanJson(text: string, label: string, stack = '<stack>'): TerraformPlan {
  const fail = (why: string) => new UserError(`${label}: ${why}`);
  if (text.startsWith('PK')) throw fail('is a binary plan file; give its JSON form: terraform show -json <planfile> > plan.json');
  // Reading a plan walks its values recursively: parseJson refuses a crafted file nested deep enough to exhaust the stack.
  const parsed = parseJson(text);
  if ('problem' in parsed) throw fail(`is not Terraform plan JSON (${parsed.problem.replace(/^is /, '')}); make it with terraform show -json <planfile>`);
  const json = parsed.value;
  if (!isObject(json)) throw fail('is not Terraform plan JSON (expected an object); make it with terraform show -json <planfile>');
  if ('lineage' in json || ('values' in json && !('planned_values' in json))) {
    throw fail('is Terraform state, not a plan; make a plan with terraform plan -out=<planfile>, then terraform show -json <planfile>');
  }
  if (typeof json.format_version !== 'string') throw fail('is not Terraform plan JSON (no format_version); make it with terraform show -json <planfile>');
  if (json.format_version.split('.')[0] !== SUPPORTED_MAJOR) {
    throw fail(`has plan format ${json.format_version}; this tool reads format ${SUPPORTED_MAJOR}.x (Terraform 1.x)`);
  }
  if (!('planned_values' in json) && !('resource_changes' in json)) {
    throw fail('is not a plan (no planned_values or resource_changes); make it with terraform show -json <planfile>');
  }
  if (json.errored === true) throw fail(erroredPlan(json, stack));

  return {
    formatVersion: json.format_version,
    terraformVersion: typeof json.terraform_version === 'string' ? json.terraform_version : undefined,
    timestamp: readTimestamp(json.timestamp),
    resourceChanges: readResourceChanges(json.resource_changes, 'resource_changes', fail),
    resourceDrift: readResourceChanges(json.resource_drift, 'resource_drift', fail),
    outputChanges: readOutputChanges(json.output_changes, fail),
    digest: planDigest(json, label),
  };
}

/**
 * Why a plan was saved although it failed, as far as its JSON tells: Terraform's error is not in it,
 * but a registration deleted in Entra is, and then the words are those the live plan prints.
 */
function erroredPlan(json: Readonly<Record<string, unknown>>, stack: string): string {
  const gone = deletedRegistrationIn(json);
  if (gone === undefined) return 'records a plan that failed; fix the error Terraform printed and plan again';
  return `records a plan that failed, and the application registration was deleted in Entra (${gone}). ${deletedRegistrationAdvice(stack)}`;
}

const REGISTRATION = 'azuread_application_registration';

/** How a failed plan shows its registration gone: found deleted by the refresh, or missing from the refreshed state among its parts. */
function deletedRegistrationIn(json: Readonly<Record<string, unknown>>): string | undefined {
  const drift = Array.isArray(json.resource_drift) ? json.resource_drift.filter(isObject) : [];
  const deleted = drift.find(
    (entry) => entry.type === REGISTRATION && isObject(entry.change) && Array.isArray(entry.change.actions) && entry.change.actions.includes('delete'),
  );
  if (deleted) return `the plan's refresh found ${String(deleted.address).slice(0, 200)} deleted outside Terraform`;
  const prior = isObject(json.prior_state) && isObject(json.prior_state.values) ? json.prior_state.values : {};
  const resources = isObject(prior.root_module) && Array.isArray(prior.root_module.resources) ? prior.root_module.resources.filter(isObject) : [];
  const types = new Set(resources.map((resource) => resource.type));
  const parts = [...types].filter((type) => typeof type === 'string' && type.startsWith('azuread_application_') && type !== REGISTRATION);
  if (parts.length > 0 && !types.has(REGISTRATION)) return "the refreshed state holds the registration's parts but not the registration";
  return undefined;
}

function readResourceChanges(value: unknown, field: string, fail: (why: string) => Error): ResourceChange[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fail(`${field} must be an array`);
  return value.map((entry, index) => {
    const where = `${field}[${index}]`;
    if (!isObject(entry) || typeof entry.address !== 'string' || typeof entry.type !== 'string' || !isObject(entry.change)) {
      throw fail(`${where} is not a resource change (needs address, type and change)`);
    }
    const change = entry.change;
    const actions = change.actions;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => (ACTIONS as unknown[]).includes(a))) {
      throw fail(`${where}.change.actions must list actions among ${ACTIONS.join(', ')}`);
    }
    return {
      address: entry.address,
      mode: entry.mode === 'data' ? 'data' : 'managed',
      type: entry.type,
      name: typeof entry.name === 'string' ? entry.name : entry.address.split('.').pop()!,
      actions: actions as PlanAction[],
      before: readValues(change.before, `${where}.change.before`, fail),
      after: readValues(change.after, `${where}.change.after`, fail),
      afterUnknown: change.after_unknown ?? {},
      beforeSensitive: change.before_sensitive ?? {},
      afterSensitive: change.after_sensitive ?? {},
      replacePaths: Array.isArray(change.replace_paths) ? (change.replace_paths as (string | number)[][]) : [],
      actionReason: typeof entry.action_reason === 'string' ? entry.action_reason : undefined,
      importing: isObject(change.importing) ? (typeof change.importing.id === 'string' ? { id: change.importing.id } : {}) : undefined,
      previousAddress: typeof entry.previous_address === 'string' ? entry.previous_address : undefined,
      deposed: typeof entry.deposed === 'string' ? entry.deposed : undefined,
    };
  });
}

function readValues(value: unknown, where: string, fail: (why: string) => Error): Values | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw fail(`${where} must be an object or null`);
  return value;
}

function readOutputChanges(value: unknown, fail: (why: string) => Error): Record<string, OutputChange> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw fail('output_changes must be an object');
  // Built from entries, so that an output named "__proto__" is an output, not the object's prototype.
  return Object.fromEntries(
    Object.entries(value).map(([name, change]) => {
      if (!isObject(change) || !Array.isArray(change.actions)) throw fail(`output_changes.${name} is not an output change (needs actions)`);
      return [name, { actions: change.actions as PlanAction[] }];
    }),
  );
}

function readTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

