// npm run tenants -- <environment>: each customer tenant's admin consent URL and whether its stack exists
// (docs/service-providers.md).
// Imports name their files: lib/index would load the provider bindings, which reading outputs does not need.
import { resolve } from 'node:path';
import { runCommand } from '../lib/process/command-line';
import { tenantsCommand } from '../lib/tenants/customer-tenant-status';

void runCommand((argv) =>
  tenantsCommand(argv, {
    stdout: process.stdout,
    projectRoot: resolve(__dirname, '..'),
    // npm runs scripts in the project root; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
  }),
);
