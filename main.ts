// The cdktf app (cdktf.json "app"): one Terraform stack per environments/<name>.ts.
import { colorsFor, runCommand } from './lib/process/command-line';
import { formatProblem } from './lib/process/problem';
import { synthProject } from './lib/synthesis/synth';

void runCommand(() => {
  const result = synthProject({ projectRoot: __dirname });
  const { yellow } = colorsFor(process.stderr);
  for (const warning of result.warnings) process.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
  process.stdout.write(`synthesized ${result.stacks.length} stack(s) into ${result.outdir}: ${result.stacks.join(', ')}\n`);
  return 0;
});
