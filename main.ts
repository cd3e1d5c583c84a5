// The cdktf app (cdktf.json "app"): one Terraform stack per environments/<name>.ts.
import { exampleNote, isExample } from './lib/environment/example-environment';
import { colorsFor, parseCommandLine, runCommand } from './lib/process/command-line';
import { escapeControlCharacters, formatProblem } from './lib/process/problem';
import { synthProject } from './lib/synthesis/synth';

const USAGE = 'npm run synth -- [<environment>...]';
const DESCRIPTION = `Validates the environment files and writes one Terraform stack per environment and customer tenant
into cdktf.out (or $CDKTF_OUTDIR); named environments only when given, keeping the others' stacks.
Nothing is written unless every environment is valid. Exit code: 0, or 1 with every problem listed.`;

void runCommand((argv) => {
  const { positionals } = parseCommandLine(argv, { options: {}, allowPositionals: true }, USAGE, DESCRIPTION);
  const result = synthProject({ projectRoot: __dirname, only: positionals.length > 0 ? positionals : undefined });
  const { yellow } = colorsFor(process.stderr);
  for (const warning of result.warnings) process.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
  for (const example of result.environments.filter(isExample)) process.stderr.write(`note: ${exampleNote(example)}\n`);
  process.stdout.write(`synthesized ${result.stacks.length} stack(s) into ${escapeControlCharacters(result.outdir)}: ${result.stacks.join(', ')}\n`);
  return 0;
});
