import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { colorsFor, parseCommandLine, readFormat, readUserFile, UserError, type ReportFormat } from '../process/command-line';
import { formatReports, reviewExitCode, type ReviewKind } from './plan-report-format';
import { buildPlanReport, isCrossStackOutput, type PlanReport } from './plan-report';
import { formatProblem, type Warning } from '../process/problem';
import { readPlanJson, type TerraformPlan } from './terraform-plan';
import { stackFolder } from '../process/stack-directory';
import { exampleNote, isExample } from '../environment/example-environment';
import { PLAN_FILE, planStack, type TerraformOptions } from '../process/terraform';

/** What `npm run plan` / `npm run drift` were asked to do. */
export type ReviewRequest = {
  readonly kind: ReviewKind;
  readonly format: ReportFormat;
} & (
  | { readonly source: 'terraform'; readonly environments: readonly string[] }
  | { readonly source: 'saved plan'; readonly planJson: string; readonly environment: string }
);

const USAGE: Record<ReviewKind, string> = {
  plan: 'npm run plan -- [<environment>...] [--format text|markdown|json] | --plan-json <file> --env <name>',
  drift: 'npm run drift -- [<environment>...] [--format text|markdown|json] | --plan-json <file> --env <name>',
};

const DESCRIPTION: Record<ReviewKind, string> = {
  plan: `Synthesizes the environments (or those named), plans each stack with terraform (init, plan, show) and
reports what applying would change, dangerous changes first. Examples (tenantId all zeros) are not planned.
--plan-json reads a saved \`terraform show -json\` instead. Exit code: 0 no changes, 2 changes, 1 an error.`,
  drift: `Synthesizes the environments (or those named), plans each stack with terraform and reports what was
changed in Entra ID outside Terraform and what is not applied yet. Examples (tenantId all zeros) are not
checked. --plan-json reads a saved \`terraform show -json\` instead. Exit code: 0 none, 2 drift, 1 an error.`,
};

export function parseReviewArguments(kind: ReviewKind, argv: readonly string[]): ReviewRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: { format: { type: 'string' }, 'plan-json': { type: 'string' }, env: { type: 'string' } },
      allowPositionals: true,
    },
    USAGE[kind],
    DESCRIPTION[kind],
  );
  const format = readFormat(values.format);
  const planJson = values['plan-json'];
  if (planJson === undefined) {
    if (values.env !== undefined) throw new UserError(`--env labels a saved plan and goes with --plan-json; to plan an environment, name it: npm run ${kind} -- ${values.env}`);
    return { kind, format, source: 'terraform', environments: positionals };
  }
  if (values.env === undefined) throw new UserError(`--plan-json needs --env <name> to label the report\nusage: ${USAGE[kind]}`);
  if (positionals.length > 0) throw new UserError(`--plan-json reads one saved plan; drop the environment names (${positionals.join(', ')})`);
  return { kind, format, source: 'saved plan', planJson, environment: values.env };
}

/**
 * Reads a saved `terraform show -json` file: no environment file, synth or terraform involved.
 * `file` is shown as given and read relative to `cwd`.
 */
export function reviewSavedPlan(file: string, environment: string, cwd = process.cwd()): PlanReport {
  return buildPlanReport(readPlanJson(readUserFile(file, cwd), file), environment);
}

export interface ReviewOptions extends TerraformOptions {
  readonly projectRoot: string;
  /** Environments to plan. @default every environment file */
  readonly environments?: readonly string[];
}

/**
 * Synthesizes the environments, then plans each stack with terraform and reads the plan. A customer
 * tenant stack is planned after its environment's stack, and not at all while that plan still adds
 * the client ID output the tenant stack reads (the environment is new, or has its first customer):
 * until it is applied, the tenant stack's plan could only fail. Examples are synthesized but not
 * planned (they have no tenant); naming one is a mistake.
 */
export async function reviewEnvironments(options: ReviewOptions): Promise<{ reports: PlanReport[]; warnings: readonly Warning[]; notes: readonly string[] }> {
  // Loaded here, not at the top: reading a saved plan must not pay for loading cdktf and the provider bindings.
  const { synthProject } = await import('../synthesis/synth');
  const only = options.environments && options.environments.length > 0 ? options.environments : undefined;
  const synth = synthProject({ projectRoot: options.projectRoot, only });
  const examples = synth.environments.filter(isExample);
  if (only && examples.length > 0) throw new UserError(examples.map(exampleNote).join('\n'));
  const skipped = new Set(examples.flatMap((e) => [e.name, ...e.customerTenants.map((t) => t.stackName)]));
  const unapplied = new Set<string>();
  const reports = synth.stacks.filter((stack) => !skipped.has(stack)).map((stack) => {
    const stackDir = stackFolder(synth.outdir, stack);
    const home = synth.homeStacks[stack];
    if (home !== undefined && unapplied.has(home)) {
      // An earlier plan left here must not be applied in place of the one this run could not make.
      rmSync(join(stackDir, PLAN_FILE), { force: true });
      return waitingReport(stack, home);
    }
    const planJson = planStack(stackDir, stack, {
      env: options.env,
      onStep: (step) => options.onStep?.(`${stack}: ${step}`),
    });
    const plan = readPlanJson(planJson, `${stack}: terraform show -json`);
    if (addsCrossStackOutput(plan)) unapplied.add(stack);
    return buildPlanReport(plan, stack);
  });
  return { reports, warnings: synth.warnings, notes: examples.map(exampleNote) };
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
  };
}

export interface ReviewStreams {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * The whole of `npm run plan` and `npm run drift`: the report goes to stdout, progress and
 * warnings to stderr. Returns the exit code: 0 no changes, 2 changes or drift.
 */
export async function reviewCommand(
  kind: ReviewKind,
  argv: readonly string[],
  io: ReviewStreams & {
    readonly projectRoot: string;
    /** Where relative `--plan-json` paths start. @default the current folder */
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
  },
): Promise<number> {
  const request = parseReviewArguments(kind, argv);
  let reports: PlanReport[];
  if (request.source === 'saved plan') {
    reports = [reviewSavedPlan(request.planJson, request.environment, io.cwd)];
  } else {
    const result = await reviewEnvironments({
      projectRoot: io.projectRoot,
      environments: request.environments,
      env: io.env,
      onStep: (step) => io.stderr.write(`${step}\n`),
    });
    const { yellow } = colorsFor(io.stderr);
    for (const warning of result.warnings) io.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
    for (const note of result.notes) io.stderr.write(`note: ${note}\n`);
    reports = result.reports;
  }
  io.stdout.write(formatReports(reports, kind, request.format, colorsFor(io.stdout)));
  return reviewExitCode(reports);
}
