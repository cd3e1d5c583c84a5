// npm run environments: the environments and how CI treats each, as the workflows' job matrix reads them.
import { resolve } from 'node:path';
import { commandGrammar, FORMAT_OPTION, parseCommandLine, readFormat, runCommand } from '../lib/process/command-line';
import { environmentList, formatEnvironmentList } from '../lib/environment/environment-list';

export const grammar = commandGrammar({
  name: 'environments',
  description: `Lists the environments as synth reads them (every environments/<name>.ts but _helpers.ts), after
validating every file, with how the workflows treat each (its ci setting): apply (planned, checked and
applied by the workflows), plan (planned and checked, applied from a workstation) or workstation (no
workflow touches it). --format json prints them as a JSON array of { name, ci, tokenVariable }, the
workflows' job matrix; examples (tenantId all zeros) are left out. Exit code: 0, or 1 with every problem
listed (an invalid environment, or a file that looks like an environment but is not read: prod.js,
prod.TS, a link, a folder).`,
  environments: 'none',
  options: { format: FORMAT_OPTION },
  examples: [
    ['', 'the environments, how CI treats each, examples marked'],
    ['--format json', 'the job matrix the workflows read'],
  ],
});

void runCommand(module, (argv) => {
  const { values } = parseCommandLine(argv, grammar);
  process.stdout.write(formatEnvironmentList(environmentList({ projectRoot: resolve(__dirname, '..') }), readFormat(values.format)));
  return 0;
});
