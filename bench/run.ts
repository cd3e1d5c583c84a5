// npm run bench: synthesis time and memory against the floor (Node loading cdktf and the provider
// modules the stacks use), for the shipped environments and for 1 to 500 generated ones; the report
// commands on 100 environments; and npm test. Medians of repeated runs, after one warm-up.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { formatTable, parseCommandLine, runCommand, UserError } from '../lib/process/command-line';
import { environmentFiles } from '../lib/environment/environment-files';
import { generatedProject } from './generated-project';
import { floorCommand, measureAgainstFloor, measureCommand, providerModulesUsed, summarize, type Measurement } from './measure';

const REPO = resolve(__dirname, '..');
/** How many environments the report commands are measured on. */
const REPORT_SET = 100;
const USAGE = 'npm run bench -- [--runs 5] [--sizes 1,10,100,500] [--test-runs 3]';
const DESCRIPTION = `Measures synthesis (the shipped environments, and generated projects of each size) against the floor
of Node loading cdktf and the provider modules, then the report commands on ${REPORT_SET} environments and npm test.
Medians of --runs runs after a warm-up; wall time, ratio to the floor and peak memory.`;

interface Row {
  readonly measurement: Measurement;
  /** The floor, measured alternately with this row's command. */
  readonly floor: Measurement;
  /** Environments synthesized, for the per-environment cost. */
  readonly environments?: number;
}

void runCommand((argv) => {
  const { values } = parseCommandLine(
    argv,
    { options: { runs: { type: 'string' }, sizes: { type: 'string' }, 'test-runs': { type: 'string' } } },
    USAGE,
    DESCRIPTION,
  );
  const runs = count(values.runs ?? '5', '--runs');
  const testRuns = count(values['test-runs'] ?? '3', '--test-runs', 0);
  const sizes = (values.sizes ?? '1,10,100,500').split(',').map((s) => count(s, '--sizes'));
  const app: string = JSON.parse(readFileSync(join(REPO, 'cdktf.json'), 'utf8')).app;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const node = (script: string, args: string) => `node --require ./bin/register-ts.js ${script} ${args}`.trim();

  const floor = floorCommand(providerModulesUsed(join(REPO, 'lib')));
  say(`floor: ${floor}`);
  const rows: Row[] = [];
  const measure = (label: string, command: string, opts: { cwd: string; env?: NodeJS.ProcessEnv; exitCodes?: number[] }, environments?: number) =>
    rows.push({ ...measureAgainstFloor(label, command, floor, { ...opts, runs, floorCwd: REPO }), environments });
  const outdir = join(REPO, 'cdktf.out.bench');
  say('synth: shipped environments');
  measure(
    'synth (shipped)',
    app,
    { cwd: REPO, env: { CDKTF_OUTDIR: outdir } },
    environmentFiles(join(REPO, 'environments')).length,
  );
  rmSync(outdir, { recursive: true, force: true });
  for (const size of sizes) {
    say(`synth: ${size} generated environment(s)`);
    const project = generatedProject(REPO, size);
    try {
      measure(`synth (${size} generated)`, app, { cwd: project.root }, size);
    } finally {
      project.remove();
    }
  }

  say(`reports on ${REPORT_SET} generated environments`);
  const project = generatedProject(REPO, REPORT_SET);
  try {
    const cwd = project.root;
    measure(`certs (${REPORT_SET} generated)`, node('cli/certs.ts', ''), { cwd });
    const manifest = join(cwd, 'customer-0000.manifest.json');
    const made = spawnSync(node('cli/manifest.ts', `customer-0000 --client-id 11111111-1111-4111-8111-111111111111 --out ${manifest}`), { cwd, shell: true });
    if (made.status !== 0) throw new Error(`npm run manifest failed: ${made.stderr}`);
    measure('doctor --env (1 of 100)', node('cli/doctor.ts', `${manifest} --env customer-0000`), { cwd });
    measure('doctor (manifest only)', node('cli/doctor.ts', manifest), { cwd });
    const plan = join(REPO, '__tests__/fixtures/plans/drift-every-kind.json');
    measure('drift report (1 saved plan)', node('cli/drift.ts', `--plan-json ${plan} --env customer-0000`), { cwd, exitCodes: [2] });
  } finally {
    project.remove();
  }

  const perEnvironment = (row: Row) => (row.measurement.medianMs - row.floor.medianMs) / row.environments!;
  const allFloors = summarize('floor (all rows)', rows.flatMap((row) => row.floor.samples));
  const table = [
    ['floor (all rows)', '-', allFloors.medianMs.toFixed(0), '1.00', allFloors.medianPeakMb.toFixed(0), '-', '-'],
    ...rows.map((row) => [
      row.measurement.label,
      row.environments === undefined ? '-' : String(row.environments),
      row.measurement.medianMs.toFixed(0),
      (row.measurement.medianMs / row.floor.medianMs).toFixed(2),
      row.measurement.medianPeakMb.toFixed(0),
      row.floor.medianMs.toFixed(0),
      row.environments === undefined ? '-' : perEnvironment(row).toFixed(1),
    ]),
  ];
  process.stdout.write(`Medians of ${runs} run(s) after one warm-up, each row alternating with the floor, on ${cpus().length} core(s).\n`);
  process.stdout.write(`${formatTable(['command', 'envs', 'wall ms', 'x floor', 'peak MB', 'its floor ms', 'ms/env over floor'], table)}\n`);

  const at = (n: number) => rows.find((r) => r.environments === n && r.measurement.label.includes('generated'));
  const [r100, r500] = [at(100), at(500)];
  if (r100 && r500) {
    process.stdout.write(`per-environment cost at 500 vs 100: ${(perEnvironment(r500) / perEnvironment(r100)).toFixed(2)}x\n`);
  }
  if (testRuns > 0) {
    say('npm test');
    const test = measureCommand('npm test', 'npm test --silent', { cwd: REPO, runs: testRuns });
    process.stdout.write(`npm test: ${(test.medianMs / 1000).toFixed(1)} s (median of ${testRuns})\n`);
  }
  return 0;
});

function count(text: string, option: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UserError(`${option} takes whole numbers from ${min}; got "${text}"\nusage: ${USAGE}`);
  return value;
}
