import { join } from 'node:path';
import { UserError } from '../process/command-line';
import { requiredProviders, SharedLocks, withPluginCache } from '../process/plugin-cache';
import { DEFAULT_PARALLEL, Slots } from '../process/slots';
import { stackFolder } from '../process/stack-directory';
import { PLAN_FILE, runTerraform, TerraformFailure, TerraformNotFoundError, type TerraformOptions } from '../process/terraform';
import { stackOutputs } from '../process/terraform-outputs';
import { buildPlanReport, isCrossStackOutput, type PlanReport } from './report/plan-report';
import { readPlanJson, type TerraformPlan } from './report/terraform-plan';
import { failedStackDigest, unplannedStackDigest } from './report/plan-digest';
import { explainPlanFailure } from './plan-failure';
import { emptyStateCopy, isMissingAzureState, noStateYetItem, removeEmptyStateCopy } from './empty-state';
import { discardPlanFile, DRIFT_PLAN_FILE, preparePlanFile, protectPlanFile, removePlanFile } from './saved-plan';

/**
 * Plans many synthesized stacks side by side, as CI would plan one: `init`, `plan -detailed-exitcode
 * -out`, `show -json`. Stacks are independent except that a customer tenant stack reads the client ID
 * from its environment's state, so it is planned only once that state has it. A stack whose azurerm
 * state does not exist yet is planned against an empty state, writing none (empty-state.ts).
 */

/** More would only queue on the CPU and on Microsoft Graph's throttling; a typo like 800 is refused. */
export const MAX_PARALLEL = 64;

export interface PlanStacksOptions extends TerraformOptions {
  /** The synthesis output folder holding `stacks/<name>`. */
  readonly outdir: string;
  /** The stacks to plan and report, in report order. */
  readonly stacks: readonly string[];
  /** The environment stack of each customer tenant stack; it may lie outside `stacks` (a shard). */
  readonly homeStacks: Readonly<Record<string, string>>;
  /** Stacks planned at once. @default DEFAULT_PARALLEL */
  readonly parallel?: number;
  /** Told as each stack's report is ready, when several are planned. */
  readonly onStackDone?: (report: PlanReport, done: number, total: number) => void;
  /**
   * Plan a stack whose azurerm state does not exist yet against an empty state (its report says so).
   * Not for a plan that is to be applied: its identity must be able to create the state it writes.
   * @default true
   */
  readonly withoutState?: boolean;
  /**
   * Keep each stack's saved plan (`plan.tfplan`) for `terraform apply`. Drift applies nothing: it
   * saves its plan under another name, reads it and removes it, and leaves an earlier `plan.tfplan` alone.
   * @default true
   */
  readonly keepPlans?: boolean;
}

type Readiness = { readonly ready: true } | { readonly ready: false; readonly report: (stack: string) => PlanReport };

/**
 * A report for every stack, in the order given, whatever fails: a stack whose terraform fails gets a
 * failed report and the others carry on. Only a missing terraform ends the run (every stack would fail).
 * Also the saved plans the run left for `terraform apply`.
 * @throws TerraformNotFoundError when terraform cannot be started
 */
export async function planStacks(options: PlanStacksOptions): Promise<{ reports: PlanReport[]; planFiles: string[] }> {
  const env = withPluginCache(options.env ?? process.env);
  const slots = new Slots(options.parallel ?? DEFAULT_PARALLEL);
  const locks = new SharedLocks();
  const folder = (stack: string) => stackFolder(options.outdir, stack);
  const terraform = (stack: string, args: readonly string[], success?: readonly number[], dir = folder(stack)) =>
    runTerraform(args, { env, stackDir: dir, label: stack, success, onStep: (step) => options.onStep?.(`${stack}: ${step}`) });

  /** Scratch folders of stacks planned against an empty state, by stack; removed when the run ends. */
  const emptyStates = new Map<string, string>();
  const initIn = (stack: string, dir: string) => {
    locks.lend(dir);
    return terraform(stack, ['init', '-input=false', '-no-color'], undefined, dir).then(() => locks.learn(dir));
  };
  /** Initializes a stack; resolves to the folder its plan runs in: its own, or an empty-state copy. */
  const inits = new Map<string, Promise<string>>();
  const init = (stack: string) => {
    let done = inits.get(stack);
    if (!done) {
      done = initIn(stack, folder(stack)).then(
        () => folder(stack),
        async (error) => {
          if (!(error instanceof TerraformFailure) || !isMissingAzureState(error.output) || options.withoutState === false) throw error;
          const copy = emptyStateCopy(folder(stack), stack);
          emptyStates.set(stack, copy.root);
          options.onStep?.(`${stack}: no state yet: planning against an empty state, writing none`);
          await initIn(stack, copy.dir);
          return copy.dir;
        },
      );
      inits.set(stack, done);
    }
    return done;
  };

  // One stack per set of providers is initialized alone first: it fills the plugin cache, which
  // Terraform does not promise to be safe for several downloads at once, and lends its lock file.
  const tried = new Set<string>();
  for (const stack of options.stacks) {
    const providers = requiredProviders(folder(stack));
    const key = providers.join(' ');
    if (locks.covers(providers) || tried.has(key)) continue;
    tried.add(key);
    // An error here is the stack's own: its task below meets the same rejected promise.
    await init(stack).catch((error) => {
      if (error instanceof TerraformNotFoundError) throw error;
    });
  }

  const planned = new Map<string, Promise<TerraformPlan>>();
  const homeStates = new Map<string, Promise<Readiness>>();

  /** A home stack in this run: its plan says whether its state will have the client ID output. */
  const readinessFromPlan = async (home: string): Promise<Readiness> => {
    const plan = await planned.get(home)!.catch(() => undefined);
    if (plan === undefined) return { ready: false, report: (stack) => failedReport(stack, `the plan of ${home} failed; fix it and plan again`) };
    return addsCrossStackOutput(plan) ? { ready: false, report: (stack) => waitingReport(stack, home) } : { ready: true };
  };
  /** A home stack planned by another shard: its state says whether it has the client ID output. */
  const readinessFromState = (home: string): Promise<Readiness> => {
    let state = homeStates.get(home);
    if (!state) {
      state = slots
        .run(async () => stackOutputs(await init(home), home, { env }))
        .then(
          (outputs): Readiness => ([...outputs.keys()].some(isCrossStackOutput) ? { ready: true } : { ready: false, report: (stack) => waitingReport(stack, home) }),
          (error): Readiness => {
            if (!(error instanceof UserError) || error instanceof TerraformNotFoundError) throw error;
            return { ready: false, report: (stack) => failedReport(stack, `the state of ${home} could not be read: ${failureOf(error, home)}`) };
          },
        );
      homeStates.set(home, state);
    }
    return state;
  };

  const inRun = new Set(options.stacks);
  const homes = new Set(Object.values(options.homeStacks));
  const keepPlans = options.keepPlans ?? true;
  const planName = keepPlans ? PLAN_FILE : DRIFT_PLAN_FILE;
  const planFile = (stack: string) => join(folder(stack), planName);
  const planOne = async (stack: string): Promise<TerraformPlan> => {
    // A plan left by an earlier run must not be applied in place of the one this run makes or fails to make.
    if (keepPlans) removePlanFile(planFile(stack));
    const dir = await slots.run(() => init(stack));
    const home = options.homeStacks[stack];
    if (home !== undefined) {
      const readiness = await (inRun.has(home) ? readinessFromPlan(home) : readinessFromState(home));
      if (!readiness.ready) throw new NotPlanned(readiness.report(stack));
    }
    // The stacks others wait for go first.
    const waitedFor = homes.has(stack);
    return slots.run(async () => {
      // In the stack's folder, or in its empty-state copy (removed with what it holds when the run ends).
      const file = join(dir, planName);
      preparePlanFile(file);
      try {
        // -detailed-exitcode: 0 no changes, 2 changes, 1 error; the report decides what the changes mean.
        // -lock=false: planning only reads state, so a read-only identity can plan; `terraform apply
        // <planfile>` takes the lock and refuses a plan made against a state that changed since.
        await terraform(stack, ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-lock=false', `-out=${planName}`], [0, 2], dir);
        protectPlanFile(file);
        const shown = await terraform(stack, ['show', '-json', planName], undefined, dir);
        return readPlanJson(shown.stdout, `${stack}: terraform show -json`);
      } finally {
        if (!keepPlans) discardPlanFile(file);
      }
    }, waitedFor);
  };

  let done = 0;
  const planFiles: string[] = [];
  const reportOf = async (stack: string): Promise<PlanReport> => {
    let report: PlanReport;
    try {
      report = buildPlanReport(await planned.get(stack)!, stack);
      // A plan against an empty state is for review only: applying it would write a local state.
      if (emptyStates.has(stack)) report = { ...report, changes: [noStateYetItem(stack), ...report.changes] };
      else if (keepPlans) planFiles.push(planFile(stack));
    } catch (error) {
      // Terraform saves a plan that failed too (errored): neither it nor one whose show failed may be applied.
      if (keepPlans) discardPlanFile(planFile(stack));
      if (error instanceof NotPlanned) report = error.report;
      else if (error instanceof UserError && !(error instanceof TerraformNotFoundError)) report = failedReport(stack, failureOf(error, stack));
      else throw error;
    }
    if (options.stacks.length > 1) options.onStackDone?.(report, ++done, options.stacks.length);
    return report;
  };

  for (const stack of options.stacks) planned.set(stack, planOne(stack));
  // Every stack settles before the run ends, so no terraform is left running behind a thrown error.
  const settled = await Promise.allSettled(options.stacks.map(reportOf));
  await Promise.allSettled(homeStates.values());
  for (const root of emptyStates.values()) removeEmptyStateCopy(root);
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return { reports: settled.map((result) => (result as PromiseFulfilledResult<PlanReport>).value), planFiles };
}

/**
 * Why a stack was not planned, for its report: what a failed plan means for the Restore Portal when
 * this project knows its errors, else Terraform's reason. Without the stack's name, which the report shows.
 */
function failureOf(error: UserError, stack: string): string {
  const explanation = error instanceof TerraformFailure && error.step !== 'show' ? explainPlanFailure(error.output, stack) : undefined;
  if (explanation) return explanation;
  return error.message.startsWith(`${stack}: `) ? error.message.slice(stack.length + 2) : error.message;
}

/** A stack that was deliberately not planned; carries the report that says why. */
class NotPlanned extends Error {
  constructor(readonly report: PlanReport) {
    super(report.failure ?? report.environment);
  }
}

function addsCrossStackOutput(plan: TerraformPlan): boolean {
  return Object.entries(plan.outputChanges).some(([name, change]) => isCrossStackOutput(name) && change.actions.includes('create'));
}

/** The report of a customer tenant stack that cannot be planned before its environment is applied. */
function waitingReport(stack: string, home: string): PlanReport {
  return {
    environment: stack,
    dangers: [],
    drift: [],
    changes: [
      {
        address: stack,
        type: 'stack',
        action: 'create',
        message: `not planned yet: this stack reads the application's client ID from the state of ${home}, which has it once ${home} is applied; apply ${home}, then plan again`,
      },
    ],
    digest: unplannedStackDigest(home),
  };
}

/** The report of a stack terraform could not plan: the reason, and nothing else to act on. */
function failedReport(stack: string, failure: string): PlanReport {
  return { environment: stack, failure, dangers: [], drift: [], changes: [], digest: failedStackDigest(failure) };
}
