// The cdktf app (cdktf.json "app"): one Terraform stack per environments/<name>.ts.
import { exampleNote, isExample } from './lib/environment/example-environment';
import { colorsFor, commandGrammar, parseCommandLine, runCommand } from './lib/process/command-line';
import { escapeControlCharacters, formatProblem } from './lib/process/problem';

export const grammar = commandGrammar({
  name: 'synth',
  description: `Validates the environment files and writes one Terraform stack per environment and customer tenant
into cdktf.out (or $CDKTF_OUTDIR); named environments only when given, keeping the others' stacks.
Nothing is written unless every environment is valid. Exit code: 0, or 1 with every problem listed.`,
  environments: 'any',
  options: {},
  examples: [
    ['', 'every environment'],
    ['prod', 'prod and its customer tenants only, keeping the other stacks in cdktf.out'],
  ],
});

void runCommand(module, async (argv) => {
  const { environments } = parseCommandLine(argv, grammar);
  // Loaded here, not at the top: --help and a mistyped option need no cdktf.
  const { synthProject } = await import('./lib/synthesis/synth');
  const result = synthProject({ projectRoot: __dirname, only: environments.length > 0 ? environments : undefined });
  const { yellow } = colorsFor(process.stderr);
  for (const warning of result.warnings) process.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
  for (const example of result.environments.filter(isExample)) process.stderr.write(`note: ${exampleNote(example)}\n`);
  process.stdout.write(`synthesized ${result.stacks.length} stack(s) into ${escapeControlCharacters(result.outdir)}: ${result.stacks.join(', ')}\n`);
  return 0;
});
