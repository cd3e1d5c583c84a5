import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { colorsFor, parseCommandLine, readFormat, readUserFile, UserError, type ReportFormat } from '../process/command-line';
import { formatReports, reviewExitCode, type ReviewKind } from './plan-report-format';
import { buildPlanReport, isCrossStackOutput, type PlanReport } from './plan-report';
import { formatProblem, type Warning } from '../process/problem';
import { readPlanJson, type TerraformPlan } from './terraform-plan';
import { unplannedStackDigest } from './plan-digest';
import { checkDigest, DIGEST_MISMATCH_EXIT_CODE, mismatchMessage, readExpectedDigest, readReviewedReports } from './plan-gate';
import { writeFileAtomically } from '../process/atomic-file';
import { stackFolder } from '../process/stack-directory';
import { exampleNote, isExample } from '../environment/example-environment';
import { PLAN_FILE, planStack, TerraformFailure, type TerraformOptions } from '../process/terraform';
import { explainPlanFailure } from './plan-failure';

/** What `npm run plan` / `npm run drift` were asked to do. */
export type ReviewRequest = {
  readonly kind: ReviewKind;
  readonly format: ReportFormat;
  /** `--expect-digest`: the digest of the reviewed plan; any other plan exits 3. */
  readonly expectDigest?: string;
  /** `--reviewed`: the review's JSON report, so that a mismatch names the lines that differ. */
  readonly reviewed?: string;
  /** `--json-out`: where the JSON report goes as well, whatever `format` prints. */
  readonly jsonOut?: string;
} & (
  | { readonly source: 'terraform'; readonly environments: readonly string[] }
  | { readonly source: 'saved plan'; readonly planJson: string; readonly environment: string }
);

const USAGE: Record<ReviewKind, string> = {
  plan: 'npm run plan -- [<environment>...] | --plan-json <file> --env <name>  [--format text|markdown|json] [--json-out <file>] [--expect-digest <hex> [--reviewed <report.json>]]',
  drift: 'npm run drift -- [<environment>...] | --plan-json <file> --env <name>  [--format text|markdown|json] [--json-out <file>]',
};

const DESCRIPTION: Record<ReviewKind, string> = {
  plan: `Synthesizes the environments (or those named), plans each stack with terraform (init, plan, show) and
reports what applying would change, dangerous changes first. Examples (tenantId all zeros) are not planned.
--plan-json reads a saved \`terraform show -json\` instead. --json-out also writes the JSON report to a file.
--expect-digest refuses (and removes the saved plans of) a plan that is not the reviewed one.
Exit code: 0 no changes, 2 changes, 3 not the reviewed plan, 1 an error.`,
  drift: `Synthesizes the environments (or those named), plans each stack with terraform and reports what was
changed in Entra ID outside Terraform and what is not applied yet. Examples (tenantId all zeros) are not
checked. --plan-json reads a saved \`terraform show -json\` instead. --json-out also writes the JSON report
to a file. Exit code: 0 none, 2 drift, 1 an error.`,
};

export function parseReviewArguments(kind: ReviewKind, argv: readonly string[]): ReviewRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: {
        format: { type: 'string' },
        'plan-json': { type: 'string' },
        env: { type: 'string' },
        'json-out': { type: 'string' },
        'expect-digest': { type: 'string' },
        reviewed: { type: 'string' },
      },
      allowPositionals: true,
    },
    USAGE[kind],
    DESCRIPTION[kind],
  );
  const format = readFormat(values.format);
  if (values['expect-digest'] !== undefined && kind !== 'plan') {
    throw new UserError(`--expect-digest gates a plan before it is applied: npm run plan -- ... --expect-digest <hex>`);
  }
  if (values.reviewed !== undefined && values['expect-digest'] === undefined) {
    throw new UserError('--reviewed names what differs from a reviewed report and goes with --expect-digest <its digest>');
  }
  const common = {
    kind,
    format,
    ...(values['expect-digest'] !== undefined ? { expectDigest: readExpectedDigest(values['expect-digest']) } : {}),
    ...(values['json-out'] !== undefined ? { jsonOut: values['json-out'] } : {}),
    ...(values.reviewed !== undefined ? { reviewed: values.reviewed } : {}),
  };
  const planJson = values['plan-json'];
  if (planJson === undefined) {
    if (values.env !== undefined) throw new UserError(`--env labels a saved plan and goes with --plan-json; to plan an environment, name it: npm run ${kind} -- ${values.env}`);
    return { ...common, source: 'terraform', environments: positionals };
  }
  if (values.env === undefined) throw new UserError(`--plan-json needs --env <name> to label the report\nusage: ${USAGE[kind]}`);
  if (positionals.length > 0) throw new UserError(`--plan-json reads one saved plan; drop the environment names (${positionals.join(', ')})`);
  return { ...common, source: 'saved plan', planJson, environment: values.env };
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
export async function reviewEnvironments(options: ReviewOptions): Promise<{
  reports: PlanReport[];
  warnings: readonly Warning[];
  /** Why examples were passed by. */
  notes: readonly string[];
  /** The saved plans this run left for `terraform apply`. */
  planFiles: string[];
}> {
  // Loaded here, not at the top: reading a saved plan must not pay for loading cdktf and the provider bindings.
  const { synthProject } = await import('../synthesis/synth');
  const only = options.environments && options.environments.length > 0 ? options.environments : undefined;
  const synth = synthProject({ projectRoot: options.projectRoot, only });
  const examples = synth.environments.filter(isExample);
  if (only && examples.length > 0) throw new UserError(examples.map(exampleNote).join('\n'));
  const skipped = new Set(examples.flatMap((e) => [e.name, ...e.customerTenants.map((t) => t.stackName)]));
  const unapplied = new Set<string>();
  const planFiles: string[] = [];
  const reports = synth.stacks.filter((stack) => !skipped.has(stack)).map((stack) => {
    const stackDir = stackFolder(synth.outdir, stack);
    const home = synth.homeStacks[stack];
    if (home !== undefined && unapplied.has(home)) {
      // An earlier plan left here must not be applied in place of the one this run could not make.
      rmSync(join(stackDir, PLAN_FILE), { force: true });
      return waitingReport(stack, home);
    }
    const planJson = explainingFailures(stack, () =>
      planStack(stackDir, stack, {
        env: options.env,
        onStep: (step) => options.onStep?.(`${stack}: ${step}`),
      }),
    );
    planFiles.push(join(stackDir, PLAN_FILE));
    const plan = readPlanJson(planJson, `${stack}: terraform show -json`);
    if (addsCrossStackOutput(plan)) unapplied.add(stack);
    return buildPlanReport(plan, stack);
  });
  return { reports, warnings: synth.warnings, notes: examples.map(exampleNote), planFiles };
}

/** Runs terraform, turning a failed plan this project understands into what happened and what to do. */
function explainingFailures<T>(stack: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const explanation = error instanceof TerraformFailure && error.step === 'plan' ? explainPlanFailure(error.output, stack) : undefined;
    if (explanation) throw new UserError(`${stack}: ${explanation}`);
    throw error;
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

export interface ReviewStreams {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * The whole of `npm run plan` and `npm run drift`: the report goes to stdout, progress and
 * warnings to stderr. Returns the exit code: 0 no changes, 2 changes or drift, 3 (`--expect-digest`)
 * not the plan that was reviewed, whose saved plan files are then removed so that none is applied.
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
  // Read before planning: a wrong file is a mistake to report before minutes of terraform.
  const { reviewed: reviewedFile, expectDigest } = request;
  const reviewed =
    reviewedFile === undefined || expectDigest === undefined ? undefined : readReviewedReports(readUserFile(reviewedFile, io.cwd), reviewedFile, expectDigest);
  let reports: PlanReport[];
  let planFiles: string[] = [];
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
    planFiles = result.planFiles;
  }
  const gate = expectDigest === undefined ? undefined : checkDigest(reports, expectDigest);
  if (gate && !gate.matches) for (const file of planFiles) rmSync(file, { force: true });
  if (request.jsonOut !== undefined) writeReportFile(resolve(io.cwd ?? process.cwd(), request.jsonOut), request.jsonOut, formatReports(reports, kind, 'json', colorsFor({}), gate));
  io.stdout.write(formatReports(reports, kind, request.format, colorsFor(io.stdout), gate));
  if (gate && !gate.matches) {
    io.stderr.write(`${colorsFor(io.stderr).red('error')}: ${mismatchMessage(gate, reports, reviewed)}\n`);
    return DIGEST_MISMATCH_EXIT_CODE;
  }
  return reviewExitCode(reports);
}

/** Writes the `--json-out` report whole or not at all; `shown` is the path as the user gave it. */
function writeReportFile(file: string, shown: string, text: string): void {
  try {
    writeFileAtomically(file, text);
  } catch (error) {
    throw new UserError(`--json-out ${shown}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
