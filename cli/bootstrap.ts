// npm run bootstrap -- [<environment>...] [--apply]: the Azure set-up of the workflows (docs/ci.md).
import { resolve } from 'node:path';
import { bootstrapCommand } from '../lib/bootstrap/bootstrap-command';
import { runCommand } from '../lib/process/command-line';

void runCommand((argv) => bootstrapCommand(argv, { stdout: process.stdout, stderr: process.stderr, projectRoot: resolve(__dirname, '..') }));
