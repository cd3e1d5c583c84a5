// npm run bootstrap -- [<environment>...] [--apply]: the Azure set-up of the workflows (docs/ci.md).
import { resolve } from 'node:path';
import { BOOTSTRAP_GRAMMAR, bootstrapCommand } from '../lib/bootstrap/bootstrap-command';
import { runCommand } from '../lib/process/command-line';

export const grammar = BOOTSTRAP_GRAMMAR;

void runCommand(module, (argv) => bootstrapCommand(argv, { stdout: process.stdout, stderr: process.stderr, projectRoot: resolve(__dirname, '..') }));
