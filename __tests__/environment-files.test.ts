import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironments } from '../lib/environment/environment-files';
import { environmentList, formatEnvironmentList } from '../lib/environment/environment-list';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { UserError } from '../lib/process/command-line';
import { InputError } from '../lib/process/problem';
import { NOW, TestProject, validInput } from './support/builders';
import { setEnvironment } from './support/clean-up';
import { runCommandIn } from './support/commands';
import { PROCESS_TIMEOUT } from './support/timeouts';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const PROD = { name: 'prod', ci: 'apply', tokenVariable: null };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.file}: ${p.message}`);
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('what an environment file is (one definition for synth, the commands and the workflows)', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
    project.writeEnvironment('prod', validInput({ backend: AZURERM }));
  });
  afterEach(() => project.remove());

  test('files that look like environments but are not read (other extensions, a link, a folder, a FIFO) are errors naming each, for the list and for synth alike', () => {
    const dir = project.environmentsDir;
    for (const name of ['staging.js', 'dev.mts', 'test.tsx', 'qa.TS']) writeFileSync(join(dir, name), 'export default {};\n');
    symlinkSync(join(dir, 'prod.ts'), join(dir, 'linked.ts'));
    mkdirSync(join(dir, 'folder.ts'));
    execFileSync('mkfifo', [join(dir, 'pipe.ts')]);
    const expected = [
      'environments/dev.mts: is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to dev.ts, or to _dev.mts if other files import it',
      'environments/folder.ts: is a folder, not an environment file: an environment is one file folder.ts; rename the folder',
      'environments/linked.ts: is a symbolic link, and links are not read as environments (one could point anywhere): put the file itself here',
      'environments/pipe.ts: is not a regular file, and is not read as an environment: remove it',
      'environments/qa.TS: is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to qa.ts, or to _qa.TS if other files import it',
      'environments/staging.js: is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to staging.ts, or to _staging.js if other files import it',
      'environments/test.tsx: is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to test.ts, or to _test.tsx if other files import it',
    ];
    expect(problemsOf(() => environmentList({ projectRoot: project.root, now: NOW }))).toEqual(expected);
    expect(problemsOf(() => project.synth())).toEqual(expected);
  }, PROCESS_TIMEOUT);

  test('helpers (_*.ts), declarations, certificates and other files are left alone', () => {
    const dir = project.environmentsDir;
    writeFileSync(join(dir, '_shared.ts'), 'export const x = 1;\n');
    writeFileSync(join(dir, '_legacy.js'), 'module.exports = {};\n');
    writeFileSync(join(dir, 'types.d.ts'), 'export {};\n');
    writeFileSync(join(dir, 'README.md'), '# environments\n');
    writeFileSync(join(dir, '.eslintrc.js'), 'module.exports = {};\n');
    expect(environmentList({ projectRoot: project.root, now: NOW })).toEqual({ environments: [PROD], examples: [] });
  });

  test('the list CI reads leaves out examples by their all-zero tenant, whatever the file is called', () => {
    project.writeEnvironment('example', validInput({ backend: AZURERM }));
    project.writeEnvironment('demo', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    expect(environmentList({ projectRoot: project.root, now: NOW })).toEqual({ environments: [{ ...PROD, name: 'example' }, PROD], examples: ['demo'] });
  });

  test('npm run environments -- --format json prints that list for the workflows’ matrix, with how CI treats each environment', () => {
    project.writeEnvironment('demo', validInput({ tenantId: EXAMPLE_TENANT_ID }));
    project.writeEnvironment('lab', validInput({ backend: AZURERM, certificates: [{ source: 'selfSigned', name: 'current' }] }));
    project.writeEnvironment('staging', validInput({ backend: { type: 'cloud', organization: 'contoso', workspace: 'staging' }, ci: 'plan' }));
    const json = runCommandIn(project, 'environments', ['--format', 'json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'lab', ci: 'workstation', tokenVariable: null },
      PROD,
      { name: 'staging', ci: 'plan', tokenVariable: 'TF_TOKEN_app_terraform_io' },
    ]);
    expect(runCommandIn(project, 'environments', []).stdout).toBe(
      [
        'demo  (example: synthesized, not planned)',
        'lab  (workstation: no workflow plans or applies it)',
        'prod  (apply: planned, checked and applied in CI)',
        'staging  (plan: planned and checked in CI, applied from a workstation)',
        '',
      ].join('\n'),
    );
  }, PROCESS_TIMEOUT);

  test('the list as markdown, for a job summary: one item per environment with how CI treats it, examples marked, names escaped', () => {
    const list = {
      environments: [
        { name: 'prod', ci: 'apply', tokenVariable: null },
        { name: 'test_eu', ci: 'plan', tokenVariable: null },
      ] as const,
      examples: ['demo'],
    };
    expect(formatEnvironmentList(list, 'markdown')).toBe(
      '- demo (example: synthesized, not planned)\n- prod (apply: planned, checked and applied in CI)\n- test\\_eu (plan: planned and checked in CI, applied from a workstation)\n',
    );
    expect(formatEnvironmentList(list, 'json')).toBe('[{"name":"prod","ci":"apply","tokenVariable":null},{"name":"test_eu","ci":"plan","tokenVariable":null}]\n');
    expect(formatEnvironmentList({ environments: [], examples: [] }, 'markdown')).toBe('');
  });

  test('what an environment file prints goes to stderr, so the JSON list CI reads stays JSON', () => {
    project.writeEnvironment('noisy', `console.log('debugging');\nprocess.stdout.write('["forged"]\\n');\nexport default ${JSON.stringify(validInput({ backend: AZURERM }))};\n`);
    const json = runCommandIn(project, 'environments', ['--format', 'json']);
    expect(json).toEqual({ status: 0, stdout: `${JSON.stringify([{ ...PROD, name: 'noisy' }, PROD])}\n`, stderr: 'debugging\n["forged"]\n' });
  }, PROCESS_TIMEOUT);

  test('so does what it writes to file descriptor 1 or /dev/stdout directly, which would reach $GITHUB_OUTPUT', () => {
    const raw = [
      "import { appendFileSync, writeFileSync, writeSync } from 'node:fs';",
      "writeSync(1, 'names=[\"forged\"]\\n');",
      "writeSync(process.stdout.fd, Buffer.from('raw bytes\\n'));",
      "writeFileSync('/dev/stdout', 'a path\\n');",
      "appendFileSync(1, 'appended\\n');",
      `export default ${JSON.stringify(validInput({ backend: AZURERM }))};`,
    ].join('\n');
    project.writeEnvironment('raw', raw);
    const json = runCommandIn(project, 'environments', ['--format', 'json']);
    expect(json).toEqual({ status: 0, stdout: `${JSON.stringify([PROD, { ...PROD, name: 'raw' }])}\n`, stderr: 'names=["forged"]\nraw bytes\na path\nappended\n' });
  }, PROCESS_TIMEOUT);
});

describe('a name given to a command that is no environment', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
    for (const name of ['prod', 'staging']) project.writeEnvironment(name, validInput());
  });
  afterEach(() => project.remove());

  /** What the command says, in the one line runCommand prints after "error: ". */
  const saysFor = (...only: string[]) => {
    try {
      loadEnvironments({ projectRoot: project.root, now: NOW, only });
    } catch (error) {
      if (error instanceof UserError) return error.message;
      throw error;
    }
    throw new Error('expected a UserError');
  };

  test('says there is no such environment and the nearest name, not a problem in a file that does not exist', () => {
    expect(saysFor('prdo')).toBe('no such environment "prdo"; did you mean prod?');
    expect(saysFor('Staging')).toBe('no such environment "Staging"; did you mean staging?');
  });

  test("says that an option's value came through when npm kept the option written before \"--\" for itself", () => {
    // npm run certs --format json prod: npm keeps --format, certs gets "json prod".
    setEnvironment({ npm_lifecycle_event: 'certs', npm_lifecycle_script: 'node --require ./bin/register-ts.js cli/certs.ts' });
    const npm = '(npm run certs -- --format json): npm keeps those written before it and passes on only their values';
    expect(saysFor('json', 'prod')).toBe(`no such environment "json"; the environments are prod, staging; options go after "--" ${npm}`);
    expect(saysFor('plan.json')).toMatch(/; options go after "--" \(npm run certs -- --<option> plan\.json\): npm keeps/);
    expect(saysFor('prdo')).toBe('no such environment "prdo"; did you mean prod?');
    setEnvironment({ npm_lifecycle_event: 'test', npm_lifecycle_script: 'jest' });
    expect(saysFor('json')).toBe('no such environment "json"; the environments are prod, staging');
  });

  test('lists the environments there are when no name is near, and counts them when they are many', () => {
    expect(saysFor('nosuch')).toBe('no such environment "nosuch"; the environments are prod, staging');
    for (let i = 0; i < 12; i++) project.writeEnvironment(`customer-${String(i).padStart(2, '0')}`, validInput());
    expect(saysFor('nosuch')).toBe('no such environment "nosuch"; there are 14, from customer-00 to staging: npm run environments lists them');
  });

  test("gives a customer tenant's stack name the environment and tenant it belongs to", () => {
    expect(saysFor('prod-tenant-contoso')).toBe(
      '"prod-tenant-contoso" is not an environment: it names the stack of customer tenant "contoso" of prod; name the environment, prod, and its customer tenants come with it',
    );
    expect(() => project.synth({ only: ['prod', 'staging-tenant-fabrikam'] })).toThrow(
      new UserError('"staging-tenant-fabrikam" is not an environment: it names the stack of customer tenant "fabrikam" of staging; name the environment, staging, and its customer tenants come with it'),
    );
  });

  test('names the environment a file holds, and the file of that name the folder does not read', () => {
    expect(saysFor('environments/prod.ts')).toBe('"environments/prod.ts" is a file; name the environment it holds: prod');
    writeFileSync(join(project.environmentsDir, 'qa.js'), 'module.exports = {};\n');
    expect(saysFor('qa')).toBe(
      'no such environment "qa": environments/qa.js: is not read: an environment is a file <name>.ts (lower-case .ts, TypeScript); rename it to qa.ts, or to _qa.js if other files import it',
    );
  });

  test('says there are none yet in an empty folder, and shows a huge or hostile name short and whole-line', () => {
    expect(saysFor('x'.repeat(100_000))).toMatch(/^no such environment "x{57}\.\.\."; the environments are prod, staging$/);
    project.remove();
    project = new TestProject();
    expect(saysFor('prod')).toBe('no such environment "prod", nor any other yet: add environments/<name>.ts');
  });
});
