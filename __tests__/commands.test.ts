import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelpRequest, parseCommandLine, readOutputsOption, UserError } from '../lib/process/command-line';
import { REPO_ROOT } from './support/builders';
import { PROCESS_TIMEOUT } from './support/timeouts';

/** Every npm script that runs a command of ours (all but test and typecheck), by name. */
const COMMANDS: [string, string][] = Object.entries<string>(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts)
  .map(([name, script]): [string, string] => [name, /^node --require \.\/bin\/register-ts\.js (\S+\.ts)$/.exec(script)?.[1] ?? ''])
  .filter(([, file]) => file !== '');

/** Runs a command as `npm run <name> -- <args>` does; none of these calls reads environments/. */
function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', './bin/register-ts.js', file, ...args],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('every command', () => {
  test('is found in package.json: synth, plan, drift, certs, doctor, manifest, tenants, audit, export-pfx, environments, bootstrap, bench, test:consumer and test:cdktn', () => {
    expect(COMMANDS.map(([name]) => name).sort()).toEqual(
      ['audit', 'bench', 'bootstrap', 'certs', 'doctor', 'drift', 'environments', 'export-pfx', 'manifest', 'plan', 'synth', 'tenants', 'test:consumer', 'test:cdktn'].sort(),
    );
  });

  // Run side by side: each is a process start, and together they would otherwise take seconds.
  const help = Promise.all(COMMANDS.map(([, file]) => run(file, ['--help'])));
  const unknown = Promise.all(COMMANDS.map(([, file]) => run(file, ['--no-such-option'])));

  test('answers --help with what it does and its usage on stdout, exit 0', async () => {
    const results = await help;
    COMMANDS.forEach(([name], i) => {
      expect({ name, ...results[i] }).toEqual({ name, code: 0, stdout: expect.stringMatching(new RegExp(`^\\S.*\\n[^]*\\nusage: npm run ${name}\\b.*\\n$`)), stderr: '' });
    });
  }, PROCESS_TIMEOUT);

  test('refuses an unknown option in one line with its usage, exit 1, no stack trace', async () => {
    const results = await unknown;
    COMMANDS.forEach(([name], i) => {
      expect({ name, ...results[i] }).toEqual({
        name,
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(new RegExp(`^error: Unknown option '--no-such-option'\\nusage: npm run ${name}\\b.*\\n$`)),
      });
    });
  }, PROCESS_TIMEOUT);
});

describe('the command line', () => {
  const usage = 'npm run x -- <env>';
  const parse = (argv: string[]) => parseCommandLine(argv, { options: { out: { type: 'string' } }, allowPositionals: true }, usage, 'Does x.');

  test('-h and --help ask for the help wherever they stand, but not after "--"', () => {
    expect(() => parse(['prod', '-h'])).toThrow(new HelpRequest('Does x.\n\nusage: npm run x -- <env>\n'));
    expect(() => parse(['--help', '--bogus'])).toThrow(HelpRequest);
    expect(parse(['--', '--help']).positionals).toEqual(['--help']);
  });

  test('an unknown option is an error without Node’s hint about "--"', () => {
    expect(() => parse(['--bogus'])).toThrow(new UserError(`Unknown option '--bogus'`));
    expect(() => parse(['--bogus'])).toThrow(expect.objectContaining({ usage }));
  });

  test('an option followed by a value that starts with "-" is one line saying how to write it', () => {
    expect(() => parse(['--out', '-x'])).toThrow(new UserError(`Option '--out' needs a value; one that starts with "-" is written --out=<value>`));
    expect(parse(['--out=-x']).values.out).toBe('-x');
  });

  test('--outputs is [<environment>=]<file> in every command', () => {
    expect(readOutputsOption('prod-outputs.json')).toEqual({ file: 'prod-outputs.json' });
    expect(readOutputsOption('prod=out/prod.json')).toEqual({ environment: 'prod', file: 'out/prod.json' });
    expect(readOutputsOption('./a=b.json')).toEqual({ file: './a=b.json' });
    expect(() => readOutputsOption('prod=')).toThrow(new UserError('--outputs prod=: give the file after "=": --outputs prod=<terraform output -json file>'));
  });
});
