// The cdktf app (cdktf.json "app"): one Terraform stack per environments/<name>.ts.
import { colorsFor, formatProblem, runCommand, synthProject } from './lib';

void runCommand(() => {
  const result = synthProject({ projectRoot: __dirname });
  const { yellow } = colorsFor(process.stderr);
  for (const warning of result.warnings) process.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
  process.stdout.write(`synthesized ${result.stacks.length} stack(s) into ${result.outdir}: ${result.stacks.join(', ')}\n`);
  return 0;
});
