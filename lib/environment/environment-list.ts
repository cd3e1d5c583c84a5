import { tokenVariable } from './backend';
import type { CiMode } from './ci-mode';
import { isExample } from './example-environment';
import { loadEnvironments, type EnvironmentFilesOptions } from './environment-files';
import { InputError } from '../process/problem';
import type { ReportFormat } from '../process/command-line';
import { escapeMarkdown } from '../process/markdown';

/** An environment as the workflows see it: the JSON of `npm run environments -- --format json` is a list of these. */
export interface ListedEnvironment {
  readonly name: string;
  /** How the workflows treat it (`ci`, the default applied). */
  readonly ci: CiMode;
  /** The variable Terraform reads its cloud backend's token from (`TF_TOKEN_app_terraform_io`); null for other backends. */
  readonly tokenVariable: string | null;
}

export interface EnvironmentList {
  /** Every environment but the examples, in name order, with how CI treats it. */
  readonly environments: readonly ListedEnvironment[];
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
    environments: environments
      .filter((e) => !isExample(e))
      .map((e) => ({ name: e.name, ci: e.ci, tokenVariable: tokenVariable(e.backend) ?? null })),
    examples: environments.filter(isExample).map((e) => e.name),
  };
}

/** What the list says after an environment's name. */
const NOTES: Record<CiMode | 'example', string> = {
  apply: '(apply: planned, checked and applied in CI)',
  plan: '(plan: planned and checked in CI, applied from a workstation)',
  workstation: '(workstation: no workflow plans or applies it)',
  example: '(example: synthesized, not planned)',
};

/**
 * The list as `npm run environments` prints it: JSON is the workflows' job matrix (examples left
 * out); text and markdown show every environment in name order, with how CI treats it, examples marked.
 */
export function formatEnvironmentList(list: EnvironmentList, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(list.environments)}\n`;
  const rows = [...list.environments.map(({ name, ci }) => ({ name, note: NOTES[ci] })), ...list.examples.map((name) => ({ name, note: NOTES.example }))].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  const lines = rows.map(({ name, note }) =>
    format === 'markdown' ? `- ${escapeMarkdown(name)}${note === '' ? '' : ` ${escapeMarkdown(note)}`}` : `${name}${note === '' ? '' : `  ${note}`}`,
  );
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
