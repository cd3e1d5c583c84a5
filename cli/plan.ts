// npm run plan -- [<environment>...]: what applying the code would change, per environment (docs/reports.md).
// Imports name their files: lib/index would load cdktf, which reading a saved plan does not need.
import { runCommand } from '../lib/process/command-line';
import { reviewCommand } from '../lib/review/plan-review';
import { resolve } from 'node:path';

void runCommand((argv) =>
  reviewCommand('plan', argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    projectRoot: resolve(__dirname, '..'),
    // npm runs scripts in the project root; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  }),
);
