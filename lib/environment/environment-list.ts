import { isExample } from './example-environment';
import { loadEnvironments, type EnvironmentFilesOptions } from './environment-files';
import { InputError } from '../process/problem';

export interface EnvironmentList {
  /** Environments that CI plans, applies and checks for drift, in name order. */
  readonly planned: readonly string[];
  /** Examples (all-zero tenant): synthesized, never planned. */
  readonly examples: readonly string[];
}

/**
 * The environments as synth reads them, split into those that talk to a tenant and examples: what
 * the workflows build their job matrix from (`npm run environments -- --format json`). Expired
 * certificates do not stop the list: the plan of that environment reports them.
 * @throws InputError listing every problem of every environment file, and every file that looks like one but is not read
 */
export function environmentList(options: EnvironmentFilesOptions): EnvironmentList {
  const { environments, problems } = loadEnvironments({ ...options, allowExpired: true });
  if (problems.length > 0) throw new InputError(problems);
  return {
    planned: environments.filter((e) => !isExample(e)).map((e) => e.name),
    examples: environments.filter(isExample).map((e) => e.name),
  };
}
