import { join } from 'node:path';
import { loadEnvironments } from '../lib/environment/environment-files';
import { formatProblem } from '../lib/process/problem';
import { CONTOSO, LIB, NOW, problemsOf, TestProject, validInput } from './support/builders';
import { onCleanUp } from './support/clean-up';

const VALID = JSON.stringify(validInput());
/** The fields an environment allows, as the unknown-field message lists them. */
const FIELDS = problemsOf(validInput({ zzz: 1 }))[0].replace(/^.*allowed: /, '');
const header = `import { defineEnvironment } from ${JSON.stringify(LIB)};\n`;

describe('an environment file that misbehaves ends in one line naming it, never a stack trace', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
  });
  afterEach(() => project.remove());

  const problemsOfFile = (source: string): string[] => {
    project.writeEnvironment('prod', source);
    const { problems } = loadEnvironments({ projectRoot: project.root, now: NOW });
    return problems.map(formatProblem);
  };

  test.each([
    ['throws while loading', `throw new Error('boom');\n`, 'environments/prod.ts: could not be loaded: boom'],
    ['throws something that is not an Error', `throw { toString() { throw new Error('x'); } };\n`, 'environments/prod.ts: could not be loaded: it threw a value that cannot be shown'],
    ['throws a message with terminal escapes', `throw new Error('\\u001b[2Jgone\\u0007');\n`, 'environments/prod.ts: could not be loaded: [2Jgone'],
    ['has a default export whose getter throws', `Object.defineProperty(exports, 'default', { get() { throw new Error('no'); } });\n`, 'environments/prod.ts: could not be loaded: reading its default export failed: no'],
    ['exports a Promise', `${header}export default Promise.resolve(defineEnvironment(${VALID}));\n`, 'environments/prod.ts: default-exports a Promise: await ... is not supported in environment files; export the object: export default defineEnvironment({ ... })'],
    ['exports an async function', `export default async () => (${VALID});\n`, 'environments/prod.ts: default-exports an async function: await ... is not supported in environment files; export the object: export default defineEnvironment({ ... })'],
    ['exports a function', `export default () => (${VALID});\n`, 'environments/prod.ts: must default-export defineEnvironment({ ... }) (found a function; export the object it would return)'],
    ['exports a string', `export default 'prod';\n`, 'environments/prod.ts: must default-export defineEnvironment({ ... }) (found "prod")'],
    ['exports a list', `export default [${VALID}];\n`, 'environments/prod.ts: must default-export defineEnvironment({ ... }) (found an array)'],
    ['exports null', `export default null;\n`, 'environments/prod.ts: must default-export defineEnvironment({ ... }) (found null)'],
    ['replaces module.exports', `module.exports = 42;\n`, 'environments/prod.ts: must default-export defineEnvironment({ ... }) (module.exports was replaced)'],
    ['calls process.exit', `process.exit(0);\n`, 'environments/prod.ts: could not be loaded: it called process.exit(0); an environment file only exports its object'],
    ['adds to Object.prototype', `Object.prototype.tenantId = 'x';\n(Array.prototype as any).evil = 1;\nexport default ${VALID};\n`, 'environments/prod.ts: changes what every object, list or string inherits (adds Object.prototype.tenantId, adds Array.prototype.evil); an environment file only exports its object'],
    ['replaces a built-in method', `Array.prototype.includes = () => true;\nexport default ${VALID};\n`, 'environments/prod.ts: changes what every object, list or string inherits (changes Array.prototype.includes); an environment file only exports its object'],
    ['exports a Proxy', `export default new Proxy(${VALID}, { ownKeys() { throw new Error('trap'); } });\n`, 'environments/prod.ts: is a Proxy; write the value itself (a plain object or list)'],
  ])('a file that %s', (_, source, expected) => {
    expect(problemsOfFile(source)).toEqual([expected]);
  });

  test('what a file adds to or replaces in the shared prototypes is put back', () => {
    const includes = Array.prototype.includes;
    problemsOfFile(`Object.prototype.tenantId = 'x';\nArray.prototype.includes = () => true;\ndelete (String.prototype as any).trim;\nexport default {};\n`);
    expect(({} as Record<string, unknown>).tenantId).toBeUndefined();
    expect(Array.prototype.includes).toBe(includes);
    expect(' x '.trim()).toBe('x');
  });

  test('a getter is never called, even one that would work', () => {
    const source = `let calls = 0;\nexport default { ...${VALID}, get displayName() { calls++; return 'x'; } };\nexport const count = () => calls;\n`;
    expect(problemsOfFile(source)).toEqual([
      'environments/prod.ts: displayName: is a getter or setter; write the value itself (getters are never called)',
    ]);
    expect(require(join(project.environmentsDir, 'prod.ts')).count()).toBe(0);
  });
});

describe('fields are read as own data properties only', () => {
  test('an inherited field is not used: the object must be plain', () => {
    expect(problemsOf(Object.create(validInput()))).toEqual([
      'environments/test.ts: is an object made by a class or a built-in (Map, Set, RegExp, ...); write a plain object { ... }',
    ]);
  });

  test('a field polluted onto Object.prototype is not read', () => {
    const input = validInput();
    delete input.certificates;
    Object.defineProperty(Object.prototype, 'certificates', { value: [{ source: 'file', path: 'certs/valid.cer' }], configurable: true });
    onCleanUp(() => delete (Object.prototype as Record<string, unknown>).certificates);
    expect(problemsOf(input)).toEqual(['environments/test.ts: certificates: is required']);
  });

  test('__proto__ written as an own field is refused, and sets no prototype', () => {
    const input = JSON.parse(`{"__proto__": {"displayName": "evil"}, ${VALID.slice(1)}`);
    expect(problemsOf(input)).toEqual(['environments/test.ts: __proto__: is not a field (it would set the prototype); remove it']);
  });

  test('constructor is an unknown field, in the environment and in its backend', () => {
    expect(problemsOf(validInput({ constructor: 'x', backend: { type: 'local', constructor: 1 } }))).toEqual([
      `environments/test.ts: constructor: unknown field; allowed: ${FIELDS}`,
      'environments/test.ts: backend.constructor: unknown field; allowed: type, path',
    ]);
  });

  test('getters, hidden and symbol-keyed fields deep inside are refused by path', () => {
    const certificate = { source: 'file' } as Record<string, unknown>;
    Object.defineProperty(certificate, 'path', { get: () => 'certs/valid.cer', enumerable: true });
    const input = validInput({ certificates: [certificate], [Symbol('tag')]: 1 });
    Object.defineProperty(input, 'displayName', { value: 'hidden', enumerable: false });
    expect(problemsOf(input)).toEqual([
      'environments/test.ts: certificates[0].path: is a getter or setter; write the value itself (getters are never called)',
      'environments/test.ts: displayName: is hidden (not enumerable); write it as an ordinary field',
      'environments/test.ts: has a symbol-keyed property [tag]; fields are named by strings',
    ]);
  });

  test('Proxies, Promises, Dates, class instances, cycles, holes and huge lists inside are refused by path', () => {
    const loop: Record<string, unknown> = { type: 'local' };
    loop.path = loop;
    const sparse: unknown[] = [];
    sparse.length = 1_000_000_000;
    expect(
      problemsOf(
        validInput({
          redirectUris: new Proxy(['https://restore.example.com:4443'], {}),
          displayName: Promise.resolve('x'),
          owners: [new Date(0), , new Map()], // eslint-disable-line no-sparse-arrays
          backend: loop,
          consentTexts: sparse,
        }),
      ),
    ).toEqual([
      'environments/test.ts: redirectUris: is a Proxy; write the value itself (a plain object or list)',
      'environments/test.ts: displayName: is a Promise: await is not supported in environment files; write the value itself',
      'environments/test.ts: owners[0]: is a Date; write the value as a string',
      'environments/test.ts: owners[1]: is an empty slot in the list (two commas in a row?); remove it',
      'environments/test.ts: owners[2]: is an object made by a class or a built-in (Map, Set, RegExp, ...); write a plain object { ... }',
      'environments/test.ts: backend.path: refers to itself (a value that contains itself); write plain values',
      'environments/test.ts: consentTexts: has 1000000000 entries; no list of an environment has more than 10000',
    ]);
  });

  test('a field name cannot forge a problem line or drive the terminal', () => {
    expect(problemsOf(validInput({ '\u001b[2J\nenvironments/x.ts: fine': 1 }))).toEqual([
      `environments/test.ts: \\u001b[2J\\u000aenvironments/x.ts: fine: unknown field; allowed: ${FIELDS}`,
    ]);
  });

  test('a field name a megabyte long is reported cut short, and at once', () => {
    expect(problemsOf(validInput({ ['x'.repeat(1_000_000)]: 1 }))).toEqual([
      `environments/test.ts: ${'x'.repeat(61)}...: unknown field; allowed: ${FIELDS}`,
    ]);
  });

  test('values nested past any real field are refused', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { x: deep };
    const [problem] = problemsOf(validInput({ adopt: deep }));
    expect(problem).toMatch(/^environments\/test\.ts: adopt(\.x)+: is nested more than 32 levels deep; no field of an environment is$/);
  });
});

describe('names that collide', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
  });
  afterEach(() => project.remove());

  test('environment files whose names differ only in case are an error naming both', () => {
    project.writeEnvironment('Prod', validInput());
    project.writeEnvironment('prod', validInput());
    expect(project.synthProblems()).toEqual([
      'environments/prod.ts: has the same name as environments/Prod.ts once case is ignored: Windows and macOS see one file, and both stacks would share one folder and state; rename one',
    ]);
  });

  test('stacks that collide through customer tenants are an error naming both files', () => {
    project.writeEnvironment('a-tenant', validInput({ customerTenants: [{ ...CONTOSO, name: 'b' }] }));
    project.writeEnvironment('a', validInput({ customerTenants: [{ ...CONTOSO, name: 'TENANT-B' }] }));
    expect(project.synthProblems()).toEqual([
      'environments/a.ts: customerTenants[0].name: makes the stack "a-tenant-TENANT-B", which environments/a-tenant.ts also makes (the stack of customer tenant "b"), ignoring case; rename the customer tenant or the file',
    ]);
  });

  test('a file name with the tenant marker in any case is refused', () => {
    expect(problemsOf(validInput(), { name: 'prod-TENANT-x' })).toEqual([
      'environments/prod-TENANT-x.ts: the file name "prod-TENANT-x" contains "-tenant-", which marks the stacks of customer tenants; rename the file',
    ]);
  });
});
