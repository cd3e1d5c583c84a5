import { clipped, UserError } from '../process/command-line';
import { InputError } from '../process/problem';
import { isExample } from '../environment/example-environment';
import { isPlannedInCi } from '../environment/ci-mode';

/**
 * Splitting a plan across CI jobs, so that an environment with hundreds of customer tenants fits
 * GitHub's limits (256 jobs per matrix, 360 minutes per job): `--matrix` lists the jobs, `--shard`
 * plans one job's part.
 */

/** One of `count` equal parts of a run's stacks, numbered from 1. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `--shard K/N`. */
export function readShard(text: string): Shard {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard takes K/N, part K of N (1 <= K <= N), as --matrix lists them; got "${clipped(text)}"`);
  }
  return { index, count };
}

/** The stacks of part `shard.index` of `shard.count`: contiguous, so an environment stays with its first tenants. */
export function shardOf<T>(stacks: readonly T[], shard: Shard): T[] {
  const start = Math.floor(((shard.index - 1) * stacks.length) / shard.count);
  const end = Math.floor((shard.index * stacks.length) / shard.count);
  return stacks.slice(start, end);
}

/**
 * How many stacks one CI job plans. With `--parallel 8` and a real stack taking up to a minute,
 * 50 stacks take about 7 minutes; GitHub's 256 jobs per matrix then hold 12,800 stacks.
 */
export const STACKS_PER_JOB = 50;

/** One CI job of a sharded plan: an environment and its part (`--shard`). */
export interface MatrixJob {
  readonly environment: string;
  readonly shard: string;
  /** Sorts the jobs' reports back into plan order (`prod-001`). */
  readonly name: string;
}

/**
 * The CI jobs that plan the environments: one per environment, and one per STACKS_PER_JOB stacks of
 * an environment with many customer tenants. Reads the environment files; synthesizes nothing.
 * Without names, the environments CI plans: every one but examples and those whose `ci` is `workstation`.
 * @throws InputError when an environment file has problems or a name has no file
 */
export async function reviewMatrix(projectRoot: string, environments: readonly string[]): Promise<MatrixJob[]> {
  // Loaded here, not at the top: environment files load cdktf, which reading a saved plan does not need.
  const { loadEnvironments } = await import('../environment/environment-files');
  const loaded = loadEnvironments({ projectRoot, only: environments.length > 0 ? environments : undefined, allowExpired: true });
  if (loaded.problems.length > 0) throw new InputError(loaded.problems);
  const chosen = environments.length > 0 ? loaded.environments : loaded.environments.filter((e) => !isExample(e) && isPlannedInCi(e));
  return matrixJobs(chosen);
}

/** GitHub runs at most this many jobs of one matrix, and fails the whole run, unexplained, beyond it. */
const MAX_MATRIX_JOBS = 256;

/**
 * The CI jobs of these environments, in plan order.
 * @throws UserError when they are more than one matrix holds
 */
export function matrixJobs(environments: readonly { readonly name: string; readonly customerTenants: readonly unknown[] }[]): MatrixJob[] {
  const jobs = environments.flatMap((environment) => {
    const count = Math.ceil((1 + environment.customerTenants.length) / STACKS_PER_JOB);
    return Array.from({ length: count }, (_, i) => ({
      environment: environment.name,
      shard: `${i + 1}/${count}`,
      name: `${environment.name}-${String(i + 1).padStart(3, '0')}`,
    }));
  });
  if (jobs.length > MAX_MATRIX_JOBS) {
    throw new UserError(
      `these environments need ${jobs.length} CI jobs (one per environment, and one per ${STACKS_PER_JOB} stacks), and GitHub runs at most ${MAX_MATRIX_JOBS} in a matrix: plan fewer environments in one workflow run`,
    );
  }
  return jobs;
}
