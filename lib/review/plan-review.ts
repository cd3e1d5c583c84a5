import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  clipped,
  colorsFor,
  commandGrammar,
  ENVIRONMENT_NAME,
  FORMAT_OPTION,
  parseCommandLine,
  readFormat,
  readUserFile,
  UserError,
  type CommandGrammar,
  type CommandLine,
  type OptionsGrammar,
  type ReportFormat,
  writeWarning,
} from '../process/command-line';
import { formatReports, gateExitCode, reviewExitCode, type ReviewKind } from './report/plan-report-format';
import { buildPlanReport, hasChanges, type PlanReport } from './report/plan-report';
import { escapeControlCharacters, formatProblem, type Warning } from '../process/problem';
import { readPlanJson } from './report/terraform-plan';
import {
  checkDigest,
  gatePasses,
  mismatchMessage,
  readAcceptedNewRegistrations,
  readExpectedDigest,
  readReviewedReports,
  unacknowledgedMessage,
} from './report/plan-gate';
import type { TerraformOptions } from '../process/terraform';
import { describeCode, mayReplace, writeFileAtomically } from '../process/atomic-file';
import { environmentFiles } from '../environment/environment-files';
import { exampleNote, isExample } from '../environment/example-environment';
import { unknownEnvironmentMessage } from '../environment/unknown-environment';
import { MAX_PARALLEL, planStacks } from './stack-plans';
import { discardPlanFile } from './saved-plan';
import { DEFAULT_PARALLEL } from '../process/slots';
import { readShard, reviewMatrix, shardOf, STACKS_PER_JOB, type Shard } from './plan-shards';

/** What `npm run plan` / `npm run drift` were asked to do. */
export type ReviewRequest = {
  readonly kind: ReviewKind;
  readonly format: ReportFormat;
  /** `--expect-digest`: the digest of the reviewed plan; any other plan exits 3. */
  readonly expectDigest?: string;
  /** `--reviewed`: the review's JSON report, so that a mismatch names the lines that differ. */
  readonly reviewed?: string;
  /** `--accept-new-registration`: the stacks whose plan may create an application registration past the gate. */
  readonly acceptNewRegistration?: readonly string[];
  /** `--out`: where the JSON report goes as well, whatever `format` prints. */
  readonly out?: string;
} & (
  | {
      readonly source: 'terraform';
      readonly environments: readonly string[];
      /** Stacks planned at once. */
      readonly parallel: number;
      /** Plan only this part of the stacks: `{ index: 2, count: 5 }` for `--shard 2/5`. */
      readonly shard?: Shard;
    }
  | { readonly source: 'saved plan'; readonly planJson: string; readonly environment: string }
  | { readonly source: 'matrix'; readonly environments: readonly string[] }
);

/** The options plan and drift share; plan adds the digest gate. */
const REVIEW_OPTIONS = {
  format: FORMAT_OPTION,
  out: { type: 'string', value: '<report.json>', help: 'also writes the JSON report to this file, whatever --format prints' },
  parallel: { type: 'string', value: '<n>', help: `how many stacks are planned at once (default ${DEFAULT_PARALLEL}, at most ${MAX_PARALLEL})` },
  shard: { type: 'string', value: '<K/N>', help: 'plans part K of N of the stacks, as --matrix lists the CI jobs' },
  matrix: { type: 'boolean', help: `prints the CI jobs as JSON (one per ${STACKS_PER_JOB} stacks) and plans nothing` },
  'plan-json': { type: 'string', value: '<file>', help: 'reads a saved `terraform show -json` of the one environment named instead of planning' },
} as const satisfies OptionsGrammar;

const GATE_OPTIONS = {
  'expect-digest': { type: 'string', value: '<hex>', help: 'the digest of the reviewed plan: any other plan exits 3 and its saved plans are removed' },
  reviewed: { type: 'string', value: '<report.json>', help: 'the JSON report of the review, so that a mismatch names what differs (with --expect-digest)' },
  'accept-new-registration': {
    type: 'string',
    value: '<environment>[,<environment>...]',
    multiple: true,
    help: 'acknowledges, at the gate (with --expect-digest), that the plan creates the registration of these, with a new Application ID',
  },
} as const satisfies OptionsGrammar;

type ReviewOptionsGrammar = typeof REVIEW_OPTIONS & Partial<typeof GATE_OPTIONS>;

/** The rules across plan's and drift's options, and their values, checked before anything runs. */
function checkReviewLine({ values, environments }: CommandLine<ReviewOptionsGrammar>): void {
  const given = (names: readonly (keyof ReviewOptionsGrammar)[]) => names.filter((name) => values[name] !== undefined).map((name) => `--${name}`);
  if (values['expect-digest'] !== undefined) readExpectedDigest(values['expect-digest']);
  if (values.parallel !== undefined) readParallel(values.parallel);
  if (values.shard !== undefined) readShard(values.shard);
  if (values.reviewed !== undefined && values['expect-digest'] === undefined) {
    throw new UserError('--reviewed names what differs from a reviewed report and goes with --expect-digest <its digest>');
  }
  const accepted = values['accept-new-registration'];
  if (accepted !== undefined) readAcceptedNewRegistrations(accepted);
  if (accepted !== undefined && values['expect-digest'] === undefined) {
    throw new UserError('--accept-new-registration acknowledges a new registration at the gate before an apply and goes with --expect-digest <reviewed digest>');
  }
  if (values.matrix) {
    const others = given(['parallel', 'shard', 'plan-json', 'out', 'expect-digest', 'reviewed', 'accept-new-registration']);
    if (others.length > 0) throw new UserError(`--matrix lists the jobs of a CI run and plans nothing; drop ${others.join(', ')}`);
  }
  if (values['plan-json'] !== undefined) {
    const planning = given(['parallel', 'shard']);
    if (planning.length > 0) throw new UserError(`--plan-json reads one saved plan and runs no terraform; drop ${planning.join(', ')}`);
    if (environments.length !== 1) {
      throw new UserError(
        environments.length === 0
          ? '--plan-json needs the environment the plan is of: --plan-json <file> <environment>'
          : `--plan-json reads the saved plan of one environment; name one (got ${clipped(environments.join(', '))})`,
      );
    }
  }
}

export const REVIEW_GRAMMARS = {
  plan: commandGrammar<ReviewOptionsGrammar>({
    name: 'plan',
    description: `Synthesizes the environments (or those named), plans their stacks with terraform (init, plan, show),
and reports what applying would change, dangerous changes first. A stack that fails is reported as not
planned; the others carry on. Examples (tenantId all zeros) are not planned. With --expect-digest, a plan
that is not the reviewed one, or that creates a registration not acknowledged, is refused and its saved
plans removed.
Exit code: 0 no changes, 2 changes, 3 not the reviewed plan (--expect-digest), 1 an error, a stack not
planned or a new registration not acknowledged.`,
    environments: 'any',
    options: { ...REVIEW_OPTIONS, ...GATE_OPTIONS },
    deprecated: { 'json-out': 'out', env: ENVIRONMENT_NAME },
    examples: [
      ['', 'every environment but the examples'],
      ['prod --format markdown --out report.json', 'prod as markdown, as a pull request comment shows it, and its JSON report in report.json'],
      ['--plan-json plan.json prod', 'a saved terraform show -json of prod, without running terraform'],
      ['--matrix', 'the CI jobs of every environment, as JSON'],
      ['msp --shard 2/3', "part 2 of 3 of msp's stacks, as one CI job plans them"],
    ],
    check: checkReviewLine,
  }),
  drift: commandGrammar<ReviewOptionsGrammar>({
    name: 'drift',
    description: `Synthesizes the environments (or those named), plans their stacks with terraform, and reports what was
changed in Entra ID outside Terraform and what is not applied yet. A stack that fails is reported as not
planned; the others carry on. Examples (tenantId all zeros) are not checked.
Exit code: 0 none, 2 drift, 1 an error or a stack not planned.`,
    environments: 'any',
    options: REVIEW_OPTIONS,
    deprecated: { 'json-out': 'out', env: ENVIRONMENT_NAME },
    examples: [
      ['', 'every environment but the examples'],
      ['prod --format markdown --out drift.json', "prod's drift as markdown, as the drift workflow shows it, and its JSON report in drift.json"],
      ['--plan-json plan.json prod', 'a saved terraform show -json of prod, without running terraform'],
    ],
    check: checkReviewLine,
  }),
} satisfies Record<ReviewKind, CommandGrammar<ReviewOptionsGrammar>>;

/**
 * What plan or drift was asked to do. Old spellings (`--json-out`, `--env`) are read with a line
 * on `stderr` naming the new one.
 */
export function parseReviewArguments(kind: ReviewKind, argv: readonly string[], stderr?: { write(text: string): unknown; isTTY?: boolean }): ReviewRequest {
  const { values, environments } = parseCommandLine(argv, REVIEW_GRAMMARS[kind], stderr);
  const format = readFormat(values.format);
  if (values.matrix) return { kind, format, source: 'matrix', environments };
  const accepted = values['accept-new-registration'];
  const common = {
    kind,
    format,
    ...(values['expect-digest'] !== undefined ? { expectDigest: readExpectedDigest(values['expect-digest']) } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.reviewed !== undefined ? { reviewed: values.reviewed } : {}),
    ...(accepted !== undefined ? { acceptNewRegistration: readAcceptedNewRegistrations(accepted) } : {}),
  };
  const planJson = values['plan-json'];
  if (planJson !== undefined) return { ...common, source: 'saved plan', planJson, environment: environments[0] };
  const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : readParallel(values.parallel);
  const shard = values.shard === undefined ? undefined : readShard(values.shard);
  return { ...common, source: 'terraform', environments, parallel, ...(shard ? { shard } : {}) };
}

/** `--parallel N`: how many stacks (or tenants) at once, 1 to MAX_PARALLEL. */
export function readParallel(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_PARALLEL) {
    throw new UserError(`--parallel takes a whole number of stacks from 1 to ${MAX_PARALLEL}; got "${clipped(text)}"`);
  }
  return value;
}

/**
 * Reads a saved `terraform show -json` file: no environment file, synth or terraform involved.
 * `file` is shown as given and read relative to `cwd`.
 */
export function reviewSavedPlan(file: string, environment: string, cwd = process.cwd()): PlanReport {
  return buildPlanReport(readPlanJson(readUserFile(file, cwd), file, environment), environment);
}

export interface ReviewOptions extends TerraformOptions {
  readonly projectRoot: string;
  /** Environments to plan. @default every environment file */
  readonly environments?: readonly string[];
  /** Stacks planned at once. @default DEFAULT_PARALLEL */
  readonly parallel?: number;
  /** Plan only this part of the stacks. @default all */
  readonly shard?: Shard;
  /** Told as each stack's report is ready, when several are planned. */
  readonly onStackDone?: (report: PlanReport, done: number, total: number) => void;
  /** Plan a stack without azurerm state against an empty state. @default true */
  readonly withoutState?: boolean;
  /** Told once synthesis is done, before any stack is planned: its warnings, and why examples are passed by. */
  readonly onSynthesized?: (warnings: readonly Warning[], notes: readonly string[]) => void;
  /** Keep each stack's saved plan for `terraform apply` (see planStacks). @default true */
  readonly keepPlans?: boolean;
}

/**
 * Synthesizes the environments, then plans their stacks side by side (see planStacks): a customer
 * tenant stack after its environment's stack, and not at all while that plan still adds the client
 * ID output the tenant stack reads (the environment is new, or has its first customer). Examples
 * are synthesized but not planned (they have no tenant); naming one is a mistake.
 */
export async function reviewEnvironments(options: ReviewOptions): Promise<{
  reports: PlanReport[];
  /** The saved plans this run left for `terraform apply`. */
  planFiles: string[];
}> {
  // Loaded here, not at the top: reading a saved plan must not pay for loading cdktf and the provider bindings.
  const { synthProject } = await import('../synthesis/synth');
  const only = options.environments && options.environments.length > 0 ? options.environments : undefined;
  const synth = synthProject({ projectRoot: options.projectRoot, only });
  const examples = synth.environments.filter(isExample);
  if (only && examples.length > 0) throw new UserError(examples.map(exampleNote).join('; '));
  const skipped = new Set(examples.flatMap((e) => [e.name, ...e.customerTenants.map((t) => t.stackName)]));
  const stacks = synth.stacks.filter((stack) => !skipped.has(stack));
  // Said before planning starts: a warning read after minutes of terraform is read too late.
  options.onSynthesized?.(synth.warnings, examples.map(exampleNote));
  const { reports, planFiles } = await planStacks({
    ...options,
    outdir: synth.outdir,
    stacks: options.shard ? shardOf(stacks, options.shard) : stacks,
    homeStacks: synth.homeStacks,
  });
  return { reports, planFiles };
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
  const request = parseReviewArguments(kind, argv, io.stderr);
  if (request.source === 'matrix') {
    io.stdout.write(`${JSON.stringify(await reviewMatrix(io.projectRoot, request.environments))}\n`);
    return 0;
  }
  // Read before planning: a wrong file is a mistake to report before minutes of terraform.
  const { reviewed: reviewedFile, expectDigest } = request;
  const reviewed =
    reviewedFile === undefined || expectDigest === undefined ? undefined : readReviewedReports(readUserFile(reviewedFile, io.cwd), reviewedFile, expectDigest);
  const out = request.out === undefined ? undefined : resolve(io.cwd ?? process.cwd(), request.out);
  if (out !== undefined) refuseToReplaceOtherFile(out, request.out!);
  // Said before minutes of terraform, and no error: apply.yml gives every environment's gate the same list.
  for (const problem of unknownAcknowledged(request.acceptNewRegistration ?? [], io.projectRoot)) {
    writeWarning(io.stderr, problem);
  }
  let reports: PlanReport[];
  let planFiles: string[] = [];
  if (request.source === 'saved plan') {
    reports = [reviewSavedPlan(request.planJson, request.environment, io.cwd)];
  } else {
    const result = await reviewEnvironments({
      projectRoot: io.projectRoot,
      environments: request.environments,
      parallel: request.parallel,
      shard: request.shard,
      env: io.env,
      keepPlans: kind === 'plan',
      onSynthesized: (warnings, notes) => {
        const { yellow } = colorsFor(io.stderr);
        for (const warning of warnings) io.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
        for (const note of notes) io.stderr.write(`note: ${note}\n`);
      },
      onStep: (step) => io.stderr.write(`${step}\n`),
      onStackDone: (report, done, total) => io.stderr.write(`[${done}/${total}] ${report.environment}: ${progressSummary(report)}\n`),
      // The apply gate's plan is applied: its identity must create a missing state, not plan around it.
      withoutState: expectDigest === undefined,
    });
    reports = result.reports;
    planFiles = result.planFiles;
  }
  const gate = expectDigest === undefined ? undefined : checkDigest(reports, expectDigest, request.acceptNewRegistration);
  // A refused run leaves no saved plan that `terraform apply` could take.
  if (gate && !gatePasses(gate)) for (const file of planFiles) discardPlanFile(file);
  if (out !== undefined) writeReportFile(out, request.out!, formatReports(reports, kind, 'json', colorsFor({}), gate));
  io.stdout.write(formatReports(reports, kind, request.format, colorsFor(io.stdout), gate));
  if (gate && !gatePasses(gate)) {
    io.stderr.write(`${colorsFor(io.stderr).red('error')}: ${gate.matches ? unacknowledgedMessage(gate) : mismatchMessage(gate, reports, reviewed)}\n`);
    return gateExitCode(gate)!;
  }
  return reviewExitCode(reports);
}

/** Names `--accept-new-registration` gives that are no environment: a typo there acknowledges nothing. */
function unknownAcknowledged(names: readonly string[], projectRoot: string): string[] {
  if (names.length === 0) return [];
  let known: string[];
  try {
    known = environmentFiles(join(projectRoot, 'environments')).map((file) => basename(file, '.ts'));
  } catch {
    return [];
  }
  return names.filter((name) => !known.includes(name)).map((name) => `--accept-new-registration ${name} acknowledges nothing: ${unknownEnvironmentMessage(name, known)}`);
}

/** One word for a finished stack in the progress on stderr. */
function progressSummary(report: PlanReport): string {
  // Terraform's reason quotes what Entra, the state or a provider said: a \r in it would start a CI log line.
  if (report.failure !== undefined) return `not planned: ${escapeControlCharacters(report.failure)}`;
  return hasChanges(report) ? 'changes' : 'no changes';
}

/** Writes the `--out` report whole or not at all; `shown` is the path as the user gave it. */
function writeReportFile(file: string, shown: string, text: string): void {
  refuseToReplaceOtherFile(file, shown);
  try {
    writeFileAtomically(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`--out ${shown}: cannot be written: ${code ? describeCode(code) : (error as Error).message}`);
  }
}

/** Checked before planning too: a mistyped `--out` is a mistake to report before minutes of terraform. */
function refuseToReplaceOtherFile(file: string, shown: string): void {
  let folder;
  try {
    folder = statSync(dirname(file));
  } catch (error) {
    throw new UserError(`--out ${shown}: its folder cannot be used: ${describeCode((error as NodeJS.ErrnoException).code ?? 'ENOENT')}; nothing was planned`);
  }
  if (!folder.isDirectory()) throw new UserError(`--out ${shown}: its folder cannot be used: ${describeCode('ENOTDIR')}; nothing was planned`);
  if (!mayReplace(file, isJsonReport)) {
    throw new UserError(`--out ${shown}: is there and is not a JSON report of plan or drift; refusing to replace it: give another file, or remove it first`);
  }
}

/** What `--out` writes: the report object of plan or drift. */
function isJsonReport(text: string): boolean {
  const value = JSON.parse(text);
  return (value?.command === 'plan' || value?.command === 'drift') && Array.isArray(value.environments);
}
