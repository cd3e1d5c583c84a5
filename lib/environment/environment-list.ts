import { isExample } from './example-environment';
import { loadEnvironments, type EnvironmentFilesOptions } from './environment-files';
import { InputError } from '../process/problem';
import type { ReportFormat } from '../process/command-line';
import { escapeMarkdown } from '../process/markdown';

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

const EXAMPLE_MARK = '(example: synthesized, not planned)';

/**
 * The list as `npm run environments` prints it: JSON is the names CI plans (what the workflows'
 * matrix reads); text and markdown show the examples too, marked, in name order.
 */
export function formatEnvironmentList(list: EnvironmentList, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(list.planned)}\n`;
  const rows = [...list.planned.map((name) => ({ name, example: false })), ...list.examples.map((name) => ({ name, example: true }))].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  const lines = rows.map(({ name, example }) =>
    format === 'markdown' ? `- ${escapeMarkdown(name)}${example ? ` ${escapeMarkdown(EXAMPLE_MARK)}` : ''}` : `${name}${example ? `  ${EXAMPLE_MARK}` : ''}`,
  );
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
