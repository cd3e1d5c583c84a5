import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifestFile } from '../lib/doctor/manifest';
import { readUserFile, UserError } from '../lib/process/command-line';
import { MAX_JSON_DEPTH, parseJson } from '../lib/input/json-text';
import { readOutputsFile, readOutputsJson } from '../lib/process/terraform-outputs';
import { readPlanJson } from '../lib/review/report/terraform-plan';
import { FIXTURES, REPO_ROOT } from './support/builders';
import { PLANS } from './support/plans';
import { PROCESS_TIMEOUT } from './support/timeouts';

const PLAN_TEXT = readFileSync(join(PLANS, 'no-changes.json'), 'utf8');
const MANIFEST = join(FIXTURES, 'manifests', 'article-appendix-a.json');
const OUTPUTS = JSON.stringify({ application_id: { value: '0d3f5a6b-0000-4000-8000-000000000000', type: 'string', sensitive: false } });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};
const oneLineError = (read: () => unknown): string => {
  try {
    read();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    expect(error.message).not.toContain('\n');
    return error.message;
  }
  throw new Error('expected a UserError');
};

/** What PowerShell (`>`, Out-File, Set-Content) and Windows editors write. */
const ENCODINGS: [string, (text: string) => Buffer][] = [
  ['UTF-8 with a byte order mark', (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)])],
  ['UTF-16 LE with a byte order mark', (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
  ['UTF-16 BE with a byte order mark', (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()])],
  ['UTF-16 LE without a byte order mark', (t) => Buffer.from(t, 'utf16le')],
  ['UTF-16 BE without a byte order mark', (t) => Buffer.from(t, 'utf16le').swap16()],
];

describe.each(ENCODINGS)('a file saved as %s', (encoding, encode) => {
  const slug = encoding.replace(/\W+/g, '-');
  test('reads as the same saved plan, manifest and outputs', () => {
    expect(readUserFile(write(`plan-${slug}.json`, encode(PLAN_TEXT)))).toBe(PLAN_TEXT);
    expect(readManifestFile(write(`manifest-${slug}.json`, encode(readFileSync(MANIFEST, 'utf8'))))).toEqual(readManifestFile(MANIFEST));
    expect(readOutputsFile(write(`outputs-${slug}.json`, encode(OUTPUTS)), dir).get('application_id')).toBe('0d3f5a6b-0000-4000-8000-000000000000');
    expect(readOutputsJson(readUserFile(join(dir, `outputs-${slug}.json`)), 'o.json').has('application_id')).toBe(true);
  });
});

describe('a file that is not what a command reads ends in one line quoting none of it', () => {
  const SECRET = 'hunter2-client-secret';

  test.each([
    ['a plan cut short', `{"format_version":"1.2","prior_state":{"values":{"password":"${SECRET}"`],
    ['a plan with an unexpected token', `{"format_version": ${SECRET}}`],
    ['a plan with a bad control character', `{"format_version":"1.2","x":"${SECRET}\u0001"}`],
    ['text after the JSON', `{"format_version":"1.2"} ${SECRET}`],
  ])('%s', (_, text) => {
    const message = oneLineError(() => readPlanJson(text, 'plan.json'));
    expect(message).toMatch(/^plan\.json: is not Terraform plan JSON \(not valid JSON.*\); make it with terraform show -json <planfile>$/);
    expect(message).not.toContain(SECRET.slice(0, 6));
    expect(oneLineError(() => readManifestFile(write('m.json', text)))).not.toContain(SECRET.slice(0, 6));
    expect(oneLineError(() => readOutputsJson(text, 'o.json'))).not.toContain(SECRET.slice(0, 6));
    expect(oneLineError(() => readOutputsFile(write('o.json', text), dir))).not.toContain(SECRET.slice(0, 6));
  });

  // In its own words, the same on every Node release: V8 rewords JSON.parse's messages between releases.
  test('says where the JSON breaks and what was expected there', () => {
    expect(parseJson('{\n  "a": 1,\n}')).toEqual({ problem: "is not valid JSON at line 3, column 1: a comma before '}': JSON allows none after the last property" });
    expect(parseJson('{\n  "a": x\n}')).toEqual({ problem: 'is not valid JSON at line 2, column 8: expected a value: an object, a list, a string in double quotes, a number, true, false or null' });
    expect(parseJson('[1, 2,]')).toEqual({ problem: "is not valid JSON at line 1, column 7: a comma before ']': JSON allows none after the last element" });
    expect(parseJson('{"a": 1} x')).toEqual({ problem: 'is not valid JSON at line 1, column 10: more text after the JSON value' });
    expect(parseJson('{"a" 1}')).toEqual({ problem: "is not valid JSON at line 1, column 6: expected ':' after the property name" });
    expect(parseJson('{a: 1}')).toEqual({ problem: 'is not valid JSON at line 1, column 2: expected a property name in double quotes' });
    expect(parseJson('[1 2]')).toEqual({ problem: "is not valid JSON at line 1, column 4: expected ',' or ']' after an element" });
    expect(parseJson('{"a": "b\nc"}')).toEqual({ problem: 'is not valid JSON at line 1, column 9: a line break or control character inside a string, where JSON needs it escaped' });
    expect(parseJson('{"a": "\\q"}')).toEqual({ problem: 'is not valid JSON at line 1, column 9: a backslash that starts no escape JSON knows' });
    expect(parseJson('{"a": [1, ')).toEqual({ problem: 'is not valid JSON at line 1, column 11: the text ends before the JSON is complete' });
    expect(parseJson(' \n')).toEqual({ problem: 'is not valid JSON: it is empty' });
  });

  test(`nesting past ${MAX_JSON_DEPTH} levels, even a million deep, is refused before anything walks it`, () => {
    const deep = `{"format_version":"1.2","planned_values":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    expect(oneLineError(() => readPlanJson(deep, 'plan.json'))).toBe(
      `plan.json: is not Terraform plan JSON (nested more than ${MAX_JSON_DEPTH} levels deep, which no file this tool reads is); make it with terraform show -json <planfile>`,
    );
    expect(parseJson(`["[[[[", ${'{"a":'.repeat(MAX_JSON_DEPTH - 1)}1${'}'.repeat(MAX_JSON_DEPTH - 1)}]`)).toHaveProperty('value');
  });

  test('a huge file, a sparse one or an endless device, stops at 64 MiB', () => {
    const sparse = write('huge.json', '');
    truncateSync(sparse, 10 * 1024 ** 3);
    expect(oneLineError(() => readUserFile(sparse))).toBe(`${sparse}: is larger than 64 MiB, more than any file this tool reads`);
    expect(oneLineError(() => readUserFile('/dev/zero'))).toBe('/dev/zero: is larger than 64 MiB, more than any file this tool reads');
  });

  test('a folder', () => {
    mkdirSync(join(dir, 'plan.d'));
    expect(oneLineError(() => readUserFile(join(dir, 'plan.d')))).toBe(`${join(dir, 'plan.d')}: is a folder, not a file`);
  });

  test('a file name with terminal escapes is shown escaped', () => {
    const result = spawnSync(process.execPath, ['--require', './bin/register-ts.js', 'cli/doctor.ts', '--manifest', '\u001b[2Jmanifest.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('error: \\u001b[2Jmanifest.json: file not found\n');
    expect(result.status).toBe(1);
  }, PROCESS_TIMEOUT);

  test('a line break in a file name cannot start a line of its own, as a CI log command would', () => {
    const result = spawnSync(process.execPath, ['--require', './bin/register-ts.js', 'cli/doctor.ts', '--manifest', 'a\n::error::b.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('error: a\\u000a::error::b.json: file not found\n');
    expect(result.status).toBe(1);
  }, PROCESS_TIMEOUT);

  test('a direction override in a file name is shown escaped, not obeyed by the terminal', () => {
    const result = spawnSync(process.execPath, ['--require', './bin/register-ts.js', 'cli/doctor.ts', '--manifest', 'nosj.\u202eplan.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('error: nosj.\\u202eplan.json: file not found\n');
  }, PROCESS_TIMEOUT);

  test('a pipe, as from terraform show -json, is read to its end', () => {
    const result = spawnSync(
      'bash',
      ['-c', `${JSON.stringify(process.execPath)} --require ./bin/register-ts.js cli/drift.ts --plan-json <(cat ${JSON.stringify(join(PLANS, 'no-changes.json'))}) prod`],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, PROCESS_TIMEOUT);
});
