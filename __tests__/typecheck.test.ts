import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './support/builders';
import { TOOLCHAIN_TIMEOUT } from './support/timeouts';

// `npm test` type-checks here, as one test file among the others, rather than before jest starts:
// tsc works on one core for a few seconds, which the other tests now share instead of waiting for.
// Jest only transpiles (jest.config.js), so this is where a type error fails `npm test`.
test('the project type-checks: tsc --noEmit reports nothing', () => {
  const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--pretty', 'false'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
  expect(tsc.status).toBe(0);
}, TOOLCHAIN_TIMEOUT);
