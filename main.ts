// The cdktf app (cdktf.json "app"): one Terraform stack per environments/<name>.ts.
import { InputError, formatProblem, synthProject } from './lib';

try {
  const result = synthProject({ projectRoot: __dirname });
  process.stdout.write(`synthesized ${result.stacks.length} stack(s): ${result.stacks.join(', ')}\n`);
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
  process.stderr.write(`synth failed: ${error.problems.length} problem(s); nothing was written\n`);
  process.exitCode = 1;
}
