// npm run bench: synthesis time and memory against the floor (Node loading cdktf and the provider
// modules the stacks use), for the shipped environments and for 1 to 500 generated ones; and npm test.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatTable, parseCommandLine, runCommand, UserError } from '../lib/command-line';
import { generatedProject } from './generated-project';
import { floorCommand, measureCommand, providerModulesUsed, type Measurement } from './measure';

const REPO = resolve(__dirname, '..');
const USAGE = 'npm run bench -- [--runs 5] [--sizes 1,10,100,500] [--test-runs 3]';

void runCommand((argv) => {
  const { values } = parseCommandLine(
    argv,
    { options: { runs: { type: 'string' }, sizes: { type: 'string' }, 'test-runs': { type: 'string' } } },
    USAGE,
  );
  const runs = count(values.runs ?? '5', '--runs');
  const testRuns = count(values['test-runs'] ?? '3', '--test-runs', 0);
  const sizes = (values.sizes ?? '1,10,100,500').split(',').map((s) => count(s, '--sizes'));
  const app: string = JSON.parse(readFileSync(join(REPO, 'cdktf.json'), 'utf8')).app;
  const say = (line: string) => process.stderr.write(`${line}\n`);

  say(`floor: ${floorCommand(providerModulesUsed(join(REPO, 'lib')))}`);
  const floor = measureCommand('floor', floorCommand(providerModulesUsed(join(REPO, 'lib'))), { cwd: REPO, runs });
  const rows: { measurement: Measurement; environments: number }[] = [];
  const outdir = join(REPO, 'cdktf.out.bench');
  say('synth: shipped environments');
  rows.push({ measurement: measureCommand('synth (shipped)', app, { cwd: REPO, runs, env: { CDKTF_OUTDIR: outdir } }), environments: shippedCount() });
  for (const size of sizes) {
    say(`synth: ${size} generated environment(s)`);
    const project = generatedProject(REPO, size);
    try {
      rows.push({ measurement: measureCommand(`synth (${size} generated)`, app, { cwd: project.root, runs }), environments: size });
    } finally {
      project.remove();
    }
  }
  require('node:fs').rmSync(outdir, { recursive: true, force: true });

  const perEnvironment = (row: (typeof rows)[number]) => (row.measurement.medianMs - floor.medianMs) / row.environments;
  const table = [floor, ...rows.map((r) => r.measurement)].map((m, i) => {
    const row = rows[i - 1];
    return [
      m.label,
      String(row?.environments ?? '-'),
      m.medianMs.toFixed(0),
      (m.medianMs / floor.medianMs).toFixed(2),
      m.medianPeakMb.toFixed(0),
      row ? perEnvironment(row).toFixed(1) : '-',
    ];
  });
  process.stdout.write(`Medians of ${runs} run(s) after one warm-up, on ${require('node:os').cpus().length} core(s).\n`);
  process.stdout.write(`${formatTable(['command', 'envs', 'wall ms', 'x floor', 'peak MB', 'ms/env over floor'], table)}\n`);

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

function shippedCount(): number {
  return require('node:fs').readdirSync(join(REPO, 'environments')).filter((f: string) => f.endsWith('.ts') && !f.startsWith('_')).length;
}
