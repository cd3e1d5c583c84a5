import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { STACK_FOLDER_MARKER } from '../lib/synthesis/output-folder';
import { REPO_ROOT, TestProject, validInput } from './support/builders';
import { setEnvironment } from './support/clean-up';
import { PROCESS_TIMEOUT } from './support/timeouts';

/** The one-line message of a synth that must fail on its output folder. */
function outputFolderError(synth: () => unknown): string {
  try {
    synth();
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error('synth succeeded but was expected to fail');
}

/** Sets, for the rest of the test, the variables the cdktf CLI sets for the app it runs (npx cdktf synth|diff|deploy). */
function asCdktfCli(hcl = 'false'): void {
  setEnvironment({ CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true', SYNTH_HCL_OUTPUT: hcl });
}

describe("synth's output folder", () => {
  let project: TestProject;
  const stacks = (outdir = 'cdktf.out') => readdirSync(join(project.root, outdir, 'stacks')).sort();
  beforeEach(() => {
    project = new TestProject();
    project.writeEnvironment('prod', validInput());
  });
  afterEach(() => project.remove());

  test('marks every stack folder it makes, and removes a marked folder once its stack is gone', () => {
    const old = project.writeEnvironment('old', validInput());
    project.synth();
    expect(readFileSync(join(project.root, 'cdktf.out/stacks/old', STACK_FOLDER_MARKER), 'utf8')).toContain('written by synth');
    rmSync(old);
    project.synth();
    expect(stacks()).toEqual(['prod']);
  });

  test('never deletes a folder under stacks/ it did not make, and says so', () => {
    // CDKTF_OUTDIR pointed at a folder that holds other things under stacks/.
    mkdirSync(join(project.root, 'shared/stacks/reports'), { recursive: true });
    writeFileSync(join(project.root, 'shared/stacks/reports/q3.txt'), 'keep me');
    symlinkSync(project.environmentsDir, join(project.root, 'shared/stacks/linked'));
    const result = project.synth({ outdir: 'shared' });
    expect(readFileSync(join(project.root, 'shared/stacks/reports/q3.txt'), 'utf8')).toBe('keep me');
    expect(stacks('shared')).toEqual(['linked', 'prod', 'reports']);
    expect(result.warnings.filter((w) => w.file.startsWith('shared')).map((w) => `${w.file}: ${w.message}`)).toEqual([
      `shared/stacks/reports: not made by synth (no ${STACK_FOLDER_MARKER} in it), so synth leaves it; \`cdktf synth\` would refuse to run: move it out of shared/stacks`,
    ]);
  });

  test('takes over the folder of a stack synthesized before folders were marked, and no other', () => {
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    writeFileSync(join(project.root, 'cdktf.out/stacks/prod/cdk.tf.json'), '{}');
    mkdirSync(join(project.root, 'cdktf.out/stacks/staging'));
    writeFileSync(join(project.root, 'cdktf.out/stacks/staging/notes.txt'), 'mine');
    project.writeEnvironment('staging', validInput());
    project.synth();
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod', STACK_FOLDER_MARKER))).toBe(true);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/staging', STACK_FOLDER_MARKER))).toBe(false);
    rmSync(join(project.environmentsDir, 'staging.ts'));
    jest.resetModules();
    project.synth();
    expect(readFileSync(join(project.root, 'cdktf.out/stacks/staging/notes.txt'), 'utf8')).toBe('mine');
  });

  test('refuses a stack folder that is a symbolic link, writing nothing through it', () => {
    const elsewhere = join(project.root, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(project.root, 'cdktf.out/stacks'), { recursive: true });
    symlinkSync(elsewhere, join(project.root, 'cdktf.out/stacks/prod'));
    expect(outputFolderError(() => project.synth())).toBe(
      'cdktf.out/stacks/prod: a symbolic link, not a folder; synth writes stack prod only into a folder of its own: remove it and synth again',
    );
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  describe('ends in one line, writing nothing, when the output folder', () => {
    test('is a file', () => {
      writeFileSync(join(project.root, 'cdktf.out'), 'not a folder');
      expect(outputFolderError(() => project.synth())).toBe(
        'cdktf.out: a file, not a folder; synth writes the stacks into a folder: remove the file, or set CDKTF_OUTDIR to a folder',
      );
      expect(readFileSync(join(project.root, 'cdktf.out'), 'utf8')).toBe('not a folder');
    });

    test('is a device', () => {
      expect(outputFolderError(() => project.synth({ outdir: '/dev/null' }))).toBe(
        '/dev/null: a device, not a folder; synth writes the stacks into a folder: set CDKTF_OUTDIR to a folder',
      );
    });

    test('is under /proc, where a folder cannot be made (and Node would retry forever)', () => {
      expect(outputFolderError(() => project.synth({ outdir: '/proc/cdktf.out' }))).toMatch(
        /^\/proc\/cdktf\.out: cannot mkdir: .+; synth writes the stacks there \(set CDKTF_OUTDIR to another folder\)$/,
      );
    });

    test('is on a read-only file system', () => {
      expect(outputFolderError(() => project.synth({ outdir: '/sys/cdktf.out' }))).toMatch(/^\/sys\/cdktf\.out: cannot mkdir: .+; synth writes the stacks there/);
    });

    test('cannot be built because TMPDIR names no writable folder', () => {
      // A child process: jest's process.env is a copy that node:os does not read.
      writeFileSync(join(project.root, 'main.ts'), readFileSync(join(REPO_ROOT, 'main.ts')));
      symlinkSync(join(REPO_ROOT, 'lib'), join(project.root, 'lib'));
      const result = spawnSync(process.execPath, ['--require', join(REPO_ROOT, 'bin/register-ts.js'), 'main.ts'], {
        cwd: project.root,
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: '/proc/no-such-folder' },
      });
      expect(result.stderr).toMatch(/^error: \/proc\/no-such-folder: cannot make a scratch folder there \(ENOENT\); .+set TMPDIR to a writable folder\n$/);
      expect(result.status).toBe(1);
      expect(existsSync(join(project.root, 'cdktf.out'))).toBe(false);
    }, PROCESS_TIMEOUT);

    test('holds stacks/ as a file', () => {
      mkdirSync(join(project.root, 'cdktf.out'));
      writeFileSync(join(project.root, 'cdktf.out/stacks'), '');
      expect(outputFolderError(() => project.synth())).toBe('cdktf.out/stacks: a file, not a folder; remove it and synth again');
    });
  });

  test('repairs what a synth killed part-way left: temporary files, a folder made but not written, a stack not removed', () => {
    const old = project.writeEnvironment('old', validInput());
    project.synth();
    const { pid: deadPid } = spawnSync(process.execPath, ['-e', '']);
    writeFileSync(join(project.root, `cdktf.out/stacks/prod/.cdk.tf.json.${deadPid}.0123456789ab.tmp`), '{"half":');
    writeFileSync(join(project.root, `cdktf.out/.manifest.json.${deadPid}.0123456789ab.tmp`), '');
    mkdirSync(join(project.root, 'cdktf.out/stacks/new'));
    project.writeEnvironment('new', validInput());
    rmSync(old);
    jest.resetModules();
    project.synth();
    expect(stacks()).toEqual(['new', 'prod']);
    for (const stack of stacks()) expect(readdirSync(join(project.root, 'cdktf.out/stacks', stack)).sort()).toEqual([STACK_FOLDER_MARKER, 'cdk.tf.json']);
    expect(readdirSync(join(project.root, 'cdktf.out')).sort()).toEqual(['manifest.json', 'stacks']);
    expect(Object.keys(JSON.parse(project.readFile('cdktf.out/manifest.json')).stacks)).toEqual(['new', 'prod']);
  }, PROCESS_TIMEOUT);

  test('a synth killed part-way leaves each stack old or new, and the next one finishes the job', () => {
    writeFileSync(join(project.root, 'main.ts'), readFileSync(join(REPO_ROOT, 'main.ts')));
    symlinkSync(join(REPO_ROOT, 'lib'), join(project.root, 'lib'));
    project.writeEnvironment('staging', validInput());
    project.synth();
    for (const name of ['new', 'prod', 'staging']) project.writeEnvironment(name, validInput({ redirectUris: ['https://restore.example.com:8443'] }));
    const redirectUris = (stack: string) => JSON.parse(project.readFile(`cdktf.out/stacks/${stack}/cdk.tf.json`)).output.redirect_uris.value;
    const manifestStacks = () => Object.keys(JSON.parse(project.readFile('cdktf.out/manifest.json')).stacks);
    // Killed as it is about to replace its third output file (stacks new, prod, staging, then manifest.json).
    const killer = join(project.root, 'kill-at-third-rename.js');
    writeFileSync(killer, "const fs = require('node:fs'); const rename = fs.renameSync; let n = 0;\n" +
      "fs.renameSync = (...args) => { if (/(cdk\\.tf|manifest)\\.json$/.test(args[1]) && ++n === 3) process.kill(process.pid, 'SIGKILL'); return rename(...args); };\n");
    const app = (...preload: string[]) =>
      spawnSync(process.execPath, ['--require', join(REPO_ROOT, 'bin/register-ts.js'), ...preload, 'main.ts'], { cwd: project.root, encoding: 'utf8' });

    expect(app('--require', killer).signal).toBe('SIGKILL');
    expect(redirectUris('prod')).toEqual(['https://restore.example.com:8443']);
    expect(redirectUris('staging')).toEqual(['https://restore.example.com:4443']);
    expect(manifestStacks()).toEqual(['prod', 'staging']);
    expect(readdirSync(join(project.root, 'cdktf.out/stacks/staging')).some((f) => f.endsWith('.tmp'))).toBe(true);

    expect(app().status).toBe(0);
    for (const stack of ['new', 'prod', 'staging']) expect(redirectUris(stack)).toEqual(['https://restore.example.com:8443']);
    expect(manifestStacks()).toEqual(['new', 'prod', 'staging']);
    for (const stack of stacks()) expect(readdirSync(join(project.root, 'cdktf.out/stacks', stack)).sort()).toEqual([STACK_FOLDER_MARKER, 'cdk.tf.json']);
  }, PROCESS_TIMEOUT);

  test('removes an empty folder of a stack that is gone: a synth killed before marking it made it', () => {
    mkdirSync(join(project.root, 'cdktf.out/stacks/half'), { recursive: true });
    project.synth();
    expect(stacks()).toEqual(['prod']);
  });

  describe('run by the cdktf CLI', () => {
    test('leaves the folders of stacks that are gone to the CLI, which deletes them and fails if one is gone already', () => {
      const old = project.writeEnvironment('old', validInput());
      project.synth();
      rmSync(old);
      jest.resetModules();
      asCdktfCli();
      project.synth();
      expect(stacks()).toEqual(['old', 'prod']);
      expect(Object.keys(JSON.parse(project.readFile('cdktf.out/manifest.json')).stacks)).toEqual(['prod']);
    });

    test('refuses to run while stacks/ holds a folder synth did not make, which the CLI would delete', () => {
      mkdirSync(join(project.root, 'cdktf.out/stacks/reports'), { recursive: true });
      writeFileSync(join(project.root, 'cdktf.out/stacks/reports/q3.txt'), 'keep me');
      asCdktfCli();
      expect(outputFolderError(() => project.synth())).toBe(
        `cdktf.out/stacks/reports: not made by synth (no ${STACK_FOLDER_MARKER} in it), and cdktf deletes every folder in cdktf.out/stacks ` +
          'that is not a stack: move it out of cdktf.out/stacks, or delete it, and run again',
      );
      expect(stacks()).toEqual(['reports']);
    });

    test('refuses --hcl, which would put JSON in cdk.tf', () => {
      asCdktfCli('true');
      expect(outputFolderError(() => project.synth())).toBe(
        'cdktf synth --hcl (SYNTH_HCL_OUTPUT) is not supported: synth writes Terraform JSON (cdk.tf.json), which plan, drift and deploy read; run it without --hcl',
      );
      expect(existsSync(join(project.root, 'cdktf.out'))).toBe(false);
    });
  });
});
