// npm run environments: the environments and how CI treats each, as the workflows' job matrix reads them.
import { resolve } from 'node:path';
import { parseCommandLine, readFormat, runCommand } from '../lib/process/command-line';
import { environmentList, type ListedEnvironment } from '../lib/environment/environment-list';

const USAGE = 'npm run environments -- [--format text|json]';
const DESCRIPTION = `Lists the environments as synth reads them (every environments/<name>.ts but _helpers.ts), after
validating every file, with how the workflows treat each (its ci setting): apply (planned, checked and
applied by the workflows), plan (planned and checked, applied from a workstation) or workstation (no
workflow touches it). --format json prints them as a JSON array of { name, ci, tokenVariable }, the
workflows' job matrix; examples (tenantId all zeros) are left out. Exit code: 0, or 1 with every problem
listed (an invalid environment, or a file that looks like an environment but is not read: prod.js,
prod.TS, a link, a folder).

examples:
  npm run environments
  npm run environments -- --format json`;

/** What the text list says after an environment's name. */
const CI_NOTE: Record<ListedEnvironment['ci'], string> = {
  apply: '',
  plan: '  (plan: planned and checked in CI, applied from a workstation)',
  workstation: '  (workstation: no workflow plans or applies it)',
};

void runCommand((argv) => {
  const { values } = parseCommandLine(argv, { options: { format: { type: 'string' } } }, USAGE, DESCRIPTION);
  const format = readFormat(values.format, ['text', 'json']);
  const list = environmentList({ projectRoot: resolve(__dirname, '..') });
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(list.environments)}\n`);
  } else {
    const lines = [
      ...list.environments.map((e) => `${e.name}${CI_NOTE[e.ci]}`),
      ...list.examples.map((name) => `${name}  (example: synthesized, not planned)`),
    ].sort();
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }
  return 0;
});
