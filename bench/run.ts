// npm run bench: synthesis time and memory against the floor (Node loading cdktf and the provider
// modules the stacks use), for the shipped environments and for 1 to 500 generated ones; the report
// commands on 100 environments; plan wall time with a stand-in terraform, side by side against one
// stack at a time; and npm test. Medians of repeated runs, after one warm-up.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { DEFAULT_PARALLEL } from '../lib/process/slots';
import { commandGrammar, formatTable, parseCommandLine, runCommand, usageOf, UserError } from '../lib/process/command-line';
import { environmentFiles } from '../lib/environment/environment-files';
import { generatedProject } from './generated-project';
import { writeHostilePlan } from './hostile-plan';
import { floorCommand, measureAgainstFloor, measureCommand, providerModulesUsed, runOnce, summarize, type Measurement, type Sample } from './measure';

const REPO = resolve(__dirname, '..');
const PARTS = ['synth', 'reports', 'plans', 'audit', 'test'] as const;
/** The plan-orchestration target: 200 customer tenants in at most this share of the serial time. */
const PLAN_TARGET = 0.25;
/** How many environments the report commands are measured on. */
const REPORT_SET = 100;
export const grammar = commandGrammar({
  name: 'bench',
  description: `Measures synthesis (the shipped environments, and generated projects of each size) against the floor
of Node loading cdktf and the provider modules; then the report commands on ${REPORT_SET} environments and on a
hostile 3 MB saved plan; npm run plan of one environment with --tenants customer tenants against a stand-in
terraform taking --step-ms per step (side by side against one stack at a time, --plan-runs times); npm run audit
of one environment with --audit-tenants customer tenants against the Graph double answering each request after
--step-ms (--audit-runs times); and npm test. Medians of --runs runs after a warm-up: wall time, ratio to the
floor and peak memory. Exit code: 0, or 1 on a mistake or a failed measurement.`,
  environments: 'none',
  options: {
    runs: { type: 'string', value: '<n>', help: 'runs of each command after a warm-up (default 5)' },
    sizes: { type: 'string', value: '<n,n,...>', help: 'sizes of the generated projects synthesized (default 1,10,100,500)' },
    tenants: { type: 'string', value: '<n,n,...>', help: 'customer tenants of the environment planned (default 1,50,200)' },
    'step-ms': { type: 'string', value: '<ms>', help: "how long each of the stand-in terraform's steps, and each Graph request, takes (default 100)" },
    'plan-runs': { type: 'string', value: '<n>', help: 'runs of each plan measurement (default 1)' },
    'audit-tenants': { type: 'string', value: '<n>', help: 'customer tenants of the environment audited (default 200)' },
    'audit-runs': { type: 'string', value: '<n>', help: 'runs of the audit measurement (default 3)' },
    'test-runs': { type: 'string', value: '<n>', help: 'runs of npm test (default 3; 0 leaves it out)' },
    only: { type: 'string', value: PARTS.join('|'), multiple: true, choices: PARTS, help: 'runs only the parts named (default all)' },
  },
  examples: [
    ['', 'everything, as the session note reports it'],
    ['--only synth --sizes 1,100 --runs 3', 'synthesis of 1 and 100 generated environments, 3 runs each'],
    ['--only audit --audit-tenants 50', 'npm run audit of 50 customer tenants against the Graph double'],
  ],
});

interface Row {
  readonly measurement: Measurement;
  /** The floor, measured alternately with this row's command. */
  readonly floor: Measurement;
  /** Environments synthesized, for the per-environment cost. */
  readonly environments?: number;
}

void runCommand(module, bench);

async function bench(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, grammar);
  const runs = count(values.runs ?? '5', '--runs');
  const testRuns = count(values['test-runs'] ?? '3', '--test-runs', 0);
  const sizes = (values.sizes ?? '1,10,100,500').split(',').map((s) => count(s, '--sizes'));
  const tenantCounts = (values.tenants ?? '1,50,200').split(',').map((s) => count(s, '--tenants', 0));
  const stepMs = count(values['step-ms'] ?? '100', '--step-ms');
  const planRuns = count(values['plan-runs'] ?? '1', '--plan-runs');
  const auditTenants = count(values['audit-tenants'] ?? '200', '--audit-tenants', 0);
  const auditRuns = count(values['audit-runs'] ?? '3', '--audit-runs');
  const only = new Set(values.only ?? PARTS);
  const app: string = JSON.parse(readFileSync(join(REPO, 'cdktf.json'), 'utf8')).app;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const node = (script: string, args: string) => `node --require ./bin/register-ts.js ${script} ${args}`.trim();

  const floor = floorCommand(providerModulesUsed(join(REPO, 'lib')));
  if (only.has('synth') || only.has('reports')) say(`floor: ${floor}`);
  const rows: Row[] = [];
  const measure = (label: string, command: string, opts: { cwd: string; env?: NodeJS.ProcessEnv; exitCodes?: number[] }, environments?: number) =>
    rows.push({ ...measureAgainstFloor(label, command, floor, { ...opts, runs, floorCwd: REPO }), environments });
  if (only.has('synth')) {
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
  }
  if (only.has('reports')) {
    say(`reports on ${REPORT_SET} generated environments`);
    const project = generatedProject(REPO, REPORT_SET);
    try {
      const cwd = project.root;
      measure(`certs (${REPORT_SET} generated)`, node('cli/certs.ts', ''), { cwd });
      const manifest = join(cwd, 'customer-0000.manifest.json');
      const made = spawnSync(node('cli/manifest.ts', `customer-0000 --client-id 11111111-1111-4111-8111-111111111111 --out ${manifest}`), { cwd, shell: true });
      if (made.status !== 0) throw new Error(`npm run manifest failed: ${made.stderr}`);
      measure('doctor + environment (1 of 100)', node('cli/doctor.ts', `--manifest ${manifest} customer-0000`), { cwd });
      measure('doctor (manifest only)', node('cli/doctor.ts', `--manifest ${manifest}`), { cwd });
      const plan = join(REPO, '__tests__/fixtures/plans/drift-every-kind.json');
      measure('drift report (1 saved plan)', node('cli/drift.ts', `--plan-json ${plan} customer-0000`), { cwd, exitCodes: [2] });
      const hostile = join(cwd, 'hostile-plan.json');
      writeHostilePlan(REPO, hostile);
      measure('drift report (hostile plan: 40,000 owners each side, 3 MB)', node('cli/drift.ts', `--plan-json ${hostile} customer-0000`), { cwd, exitCodes: [2] });
      // The gate's mismatch message compares every line of the reviewed report with every line planned now.
      const reviewed = join(cwd, 'hostile-review.json');
      const review = spawnSync(node('cli/plan.ts', `--plan-json ${hostile} customer-0000 --out ${reviewed}`), { cwd, shell: true, stdio: ['ignore', 'ignore', 'pipe'] });
      if (review.status !== 2) throw new Error(`npm run plan failed: ${review.stderr}`);
      const other = join(cwd, 'hostile-plan-2.json');
      writeHostilePlan(REPO, other, 39_999);
      const digest = JSON.parse(readFileSync(reviewed, 'utf8')).digest;
      const gate = `--plan-json ${other} customer-0000 --expect-digest ${digest} --reviewed ${reviewed}`;
      measure('plan gate, another hostile plan (--reviewed)', node('cli/plan.ts', gate), { cwd, exitCodes: [3] });
    } finally {
      project.remove();
    }
  }

  if (rows.length > 0) {
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
  }
  if (only.has('plans')) {
    process.stdout.write(measurePlans(tenantCounts, { stepMs, runs: planRuns, say }));
  }
  if (only.has('audit')) {
    process.stdout.write(await measureAudit(auditTenants, { stepMs, runs: auditRuns, say }));
  }
  if (only.has('test') && testRuns > 0) {
    say('npm test');
    const test = measureCommand('npm test', 'npm test --silent', { cwd: REPO, runs: testRuns });
    process.stdout.write(`npm test: ${(test.medianMs / 1000).toFixed(1)} s (median of ${testRuns})\n`);
  }
  return 0;
}

/**
 * `npm run plan` of one environment with each number of customer tenants, against a stand-in
 * terraform whose every step takes `stepMs`: side by side (the default --parallel) against one
 * stack at a time (--parallel 1), alternately, so that both see the same load.
 */
function measurePlans(tenantCounts: readonly number[], opts: { stepMs: number; runs: number; say: (line: string) => void }): string {
  const bin = mkdtempSync(join(tmpdir(), 'bench-terraform-'));
  copyFileSync(join(__dirname, 'stand-in-terraform.sh'), join(bin, 'terraform'));
  chmodSync(join(bin, 'terraform'), 0o755);
  const env = {
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    TF_PLUGIN_CACHE_DIR: join(bin, 'plugin-cache'),
    BENCH_TERRAFORM_STEP_SECONDS: String(opts.stepMs / 1000),
    BENCH_TERRAFORM_PLAN_JSON: join(REPO, '__tests__/fixtures/plans/no-changes.json'),
  };
  const plan = (parallel: number) => `node --require ./bin/register-ts.js cli/plan.ts --parallel ${parallel}`;
  const rows: string[][] = [];
  let target = '';
  try {
    for (const tenants of tenantCounts) {
      opts.say(`plan: 1 environment with ${tenants} customer tenant(s), ${opts.runs} run(s) each way`);
      const project = generatedProject(REPO, 1, tenants);
      try {
        const serial: Sample[] = [];
        const parallel: Sample[] = [];
        for (let run = 0; run < opts.runs; run++) {
          serial.push(runOnce(plan(1), { cwd: project.root, env }));
          parallel.push(runOnce(plan(DEFAULT_PARALLEL), { cwd: project.root, env }));
        }
        const [s, p] = [summarize('serial', serial), summarize('parallel', parallel)];
        const ratio = p.medianMs / s.medianMs;
        rows.push([String(tenants), String(tenants + 1), s.medianMs.toFixed(0), p.medianMs.toFixed(0), ratio.toFixed(3), p.medianPeakMb.toFixed(0)]);
        if (tenants === 200) target = `200 tenants: ${ratio.toFixed(3)} of the serial time (target <= ${PLAN_TARGET}): ${ratio <= PLAN_TARGET ? 'met' : 'NOT met'}\n`;
      } finally {
        project.remove();
      }
    }
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
  const header = ['tenants', 'stacks', 'serial ms (--parallel 1)', `parallel ms (--parallel ${DEFAULT_PARALLEL})`, 'parallel / serial', 'peak MB'];
  return [
    `npm run plan, stand-in terraform taking ${opts.stepMs} ms per step (init, plan, show), median of ${opts.runs} run(s), on ${cpus().length} core(s):`,
    formatTable(header, rows),
    target,
  ].join('\n');
}

/** What the audit figure must stay under: README's "well under a minute" for 200 tenants at 100 ms a request. */
const AUDIT_TARGET_MS = 60_000;

/**
 * `npm run audit` of one environment with `tenants` customer tenants against the Graph double (in
 * its own process, bench/graph-double-server.ts), which answers every request, Graph's and the
 * sign-in authority's, after `stepMs`: a client secret signs in through @azure/identity as in CI.
 */
async function measureAudit(tenants: number, opts: { stepMs: number; runs: number; say: (line: string) => void }): Promise<string> {
  const clientId = '0d3f5a6b-1111-4222-8333-944455556666';
  const identity = { id: '3c3c3c3c-1111-4222-8333-444455556666', secret: 'bench-identity-secret' };
  opts.say(`audit: 1 environment with ${tenants} customer tenant(s), Graph answering after ${opts.stepMs} ms, ${opts.runs} run(s) after a warm-up`);
  const project = generatedProject(REPO, 1, tenants);
  const server = spawn(process.execPath, ['--require', './bin/register-ts.js', 'bench/graph-double-server.ts', project.root, String(opts.stepMs), clientId, identity.id, identity.secret], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ready = await new Promise<{ graph: string; authority: string; ca: string }>((resolve, reject) => {
      let text = '';
      server.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]));
      });
      server.on('exit', (code) => reject(new Error(`the Graph double stopped (${code})`)));
    });
    const outputs = `${project.root}/outputs.json`;
    writeFileSync(outputs, JSON.stringify({ application_id: { value: clientId } }));
    const env = {
      ARM_CLIENT_ID: identity.id,
      ARM_CLIENT_SECRET: identity.secret,
      AZURE_AUTHORITY_HOST: ready.authority,
      GRAPH_ENDPOINT: ready.graph,
      NODE_EXTRA_CA_CERTS: ready.ca,
    };
    const audit = `node --require ./bin/register-ts.js cli/audit.ts customer-0000 --outputs ${outputs}`;
    const result = measureCommand(`audit (${tenants} tenants)`, audit, { cwd: project.root, env, runs: opts.runs });
    const ms = result.medianMs;
    return [
      `npm run audit, 1 environment with ${tenants} customer tenant(s), Graph double answering after ${opts.stepMs} ms, --parallel ${DEFAULT_PARALLEL}, median of ${opts.runs} run(s), on ${cpus().length} core(s):`,
      formatTable(['tenants', 'requests answered after', 'wall ms', 'peak MB'], [[String(tenants), `${opts.stepMs} ms`, ms.toFixed(0), result.medianPeakMb.toFixed(0)]]),
      tenants === 200 && opts.stepMs === 100 ? `200 tenants at 100 ms a request: ${(ms / 1000).toFixed(1)} s (target well under ${AUDIT_TARGET_MS / 1000} s): ${ms < AUDIT_TARGET_MS ? 'met' : 'NOT met'}\n` : '',
    ].join('\n');
  } finally {
    server.kill('SIGTERM');
    project.remove();
  }
}

function count(text: string, option: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UserError(`${option} takes whole numbers from ${min}; got "${text}"`, usageOf(grammar));
  return value;
}
