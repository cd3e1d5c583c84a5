// npm run environments: the environments CI plans, as the workflows' job matrix reads them.
import { resolve } from 'node:path';
import { parseCommandLine, readFormat, runCommand } from '../lib/process/command-line';
import { environmentList } from '../lib/environment/environment-list';

const USAGE = 'npm run environments -- [--format text|json]';
const DESCRIPTION = `Lists the environments as synth reads them (every environments/<name>.ts but _helpers.ts), after
validating every file. --format json prints the names CI plans, applies and checks for drift, as one JSON
array: examples (tenantId all zeros) are left out. Exit code: 0, or 1 with every problem listed (an invalid
environment, or a file that looks like an environment but is not read: prod.js, prod.TS, a link, a folder).`;

void runCommand((argv) => {
  const { values } = parseCommandLine(argv, { options: { format: { type: 'string' } } }, USAGE, DESCRIPTION);
  const format = readFormat(values.format, ['text', 'json']);
  const list = environmentList({ projectRoot: resolve(__dirname, '..') });
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(list.planned)}\n`);
  } else {
    const lines = [...list.planned, ...list.examples.map((name) => `${name}  (example: synthesized, not planned)`)].sort();
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }
  return 0;
});
