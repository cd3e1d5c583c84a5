import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/builders';
import { onCleanUp, temporaryFolder } from './support/clean-up';
import { PROCESS_TIMEOUT } from './support/timeouts';

const dir = temporaryFolder('register-ts-');
// A name of its own, so that the first run really transpiles it; its cached transpile is removed after.
const name = `throws-${process.pid}-${Date.now()}`;
const CACHE = join(REPO_ROOT, 'node_modules/.cache/register-ts');
onCleanUp(() => {
  for (const cached of readdirSync(CACHE).filter((f) => f.startsWith(`${name}-`))) rmSync(join(CACHE, cached));
});

/** Runs a TypeScript file as the commands run, through bin/register-ts.js. */
function runTs(file: string) {
  const result = spawnSync(process.execPath, ['--require', join(REPO_ROOT, 'bin/register-ts.js'), file], { encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr };
}

// Imports, interfaces and type annotations: what SWC removes or turns into more lines.
const THROWS_ON_LINE_12 = `import { join } from 'node:path';
import type { Stats } from 'node:fs';

export interface Unused {
  readonly stats: Stats;
}

export const where: string = join('a', 'b');

export function fail(reason: string): never {
  void reason;
  throw new Error('thrown on line 12');
}

fail(where);
`;

describe('bin/register-ts.js', () => {
  test('reports an error thrown on line 12 of a .ts file at line 12, transpiled or from the cache', () => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, THROWS_ON_LINE_12);
    for (const run of [runTs(file), runTs(file)]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: thrown on line 12\n/);
      expect(run.stderr).toContain(`at fail (${file}:12:9)`);
      expect(run.stderr).toContain(`at Object.<anonymous> (${file}:15:1)`);
      // No other line of the file is named: not even in the line Node prints above an uncaught error.
      expect([...run.stderr.matchAll(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`, 'g'))].map((m) => m[1])).toEqual(['12', '15']);
    }
  }, PROCESS_TIMEOUT);

  test('names the line and column of a syntax error, a tab counted as one character', () => {
    const file = join(dir, `${name}-syntax.ts`);
    writeFileSync(file, `export default {\n  a: 1,\n\tb: 'é', c: ,\n};\n`);
    const script = `require(${JSON.stringify(join(REPO_ROOT, 'bin/register-ts.js'))}); try { require(${JSON.stringify(file)}); } catch (e) { process.stdout.write(e.message); }`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.stdout).toBe('Expression expected (line 3, column 13)');
  }, PROCESS_TIMEOUT);

  test('reads a file Windows saved as UTF-16, as the TypeScript compiler does', () => {
    const text = `export const portal: string = 'restore.contoso.com';\n`;
    const little = join(dir, `${name}-utf16le.ts`);
    const big = join(dir, `${name}-utf16be.ts`);
    writeFileSync(little, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    writeFileSync(big, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const script = `require(${JSON.stringify(join(REPO_ROOT, 'bin/register-ts.js'))}); process.stdout.write(require(${JSON.stringify(little)}).portal + ' ' + require(${JSON.stringify(big)}).portal);`;
    expect(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout).toBe('restore.contoso.com restore.contoso.com');
  }, PROCESS_TIMEOUT);
});
