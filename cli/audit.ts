// npm run audit -- [<environment>...]: each environment's registration read live from Microsoft Graph and
// compared with the code, for what Terraform cannot see (docs/reports.md, "Audit").
// Imports name their files: lib/index would load cdktf, which reading Graph does not need.
import { resolve } from 'node:path';
import { auditCommand } from '../lib/audit/audit-command';
import { runCommand } from '../lib/process/command-line';

void runCommand((argv) =>
  auditCommand(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    projectRoot: resolve(__dirname, '..'),
    // npm runs scripts in the project root; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  }),
);
