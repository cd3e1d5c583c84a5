import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  readonly ms: number;
  readonly peakMb: number;
}

export interface Measurement {
  readonly label: string;
  readonly samples: readonly Sample[];
  readonly medianMs: number;
  readonly medianPeakMb: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success. @default [0] */
  readonly exitCodes?: readonly number[];
}

/**
 * Runs `command` and the floor command alternately, `runs` times each after one unmeasured warm-up
 * of both, so that each ratio compares runs made under the same load on a shared machine.
 */
export function measureAgainstFloor(
  label: string,
  command: string,
  floor: string,
  opts: RunOptions & { runs: number; floorCwd: string },
): { measurement: Measurement; floor: Measurement } {
  const samples: Sample[] = [];
  const floorSamples: Sample[] = [];
  for (let run = -1; run < opts.runs; run++) {
    const floorSample = runOnce(floor, { cwd: opts.floorCwd });
    const sample = runOnce(command, opts);
    if (run < 0) continue;
    floorSamples.push(floorSample);
    samples.push(sample);
  }
  return { measurement: summarize(label, samples), floor: summarize('floor', floorSamples) };
}

export function summarize(label: string, samples: readonly Sample[]): Measurement {
  return {
    label,
    samples,
    medianMs: median(samples.map((s) => s.ms)),
    medianPeakMb: median(samples.map((s) => s.peakMb)),
  };
}

/** One run of a shell command: wall time, and the peak RSS of the node processes it started. */
export function runOnce(command: string, opts: RunOptions): Sample {
  const rssDir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  try {
    const rssFile = join(rssDir, 'rss');
    const env = {
      ...process.env,
      ...opts.env,
      BENCH_RSS_FILE: rssFile,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'report-rss.js')}`.trim(),
    };
    const start = process.hrtime.bigint();
    const result = spawnSync(command, { cwd: opts.cwd, env, shell: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!(opts.exitCodes ?? [0]).includes(result.status ?? -1)) throw new Error(`"${command}" failed (${result.status}):\n${result.stderr}`);
    const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
    return { ms, peakMb: Math.max(...rss) / 1024 };
  } finally {
    rmSync(rssDir, { recursive: true, force: true });
  }
}

/** Runs a shell command `runs` times after one unmeasured warm-up. */
export function measureCommand(label: string, command: string, opts: RunOptions & { runs: number }): Measurement {
  const samples: Sample[] = [];
  for (let run = -1; run < opts.runs; run++) {
    const sample = runOnce(command, opts);
    if (run >= 0) samples.push(sample);
  }
  return summarize(label, samples);
}

/** The provider modules the library imports by deep path: what the floor must load too. */
export function providerModulesUsed(libDir: string): string[] {
  const modules = new Set<string>();
  for (const file of readdirSync(libDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    for (const match of readFileSync(join(libDir, file), 'utf8').matchAll(/from '(@cdktf\/provider-[^']+\/lib\/[^']+)'/g)) {
      modules.add(match[1]);
    }
  }
  return [...modules].sort();
}

/** A node command that loads cdktf and the given modules and nothing else: the floor synthesis is measured against. */
export function floorCommand(modules: readonly string[]): string {
  const script = ['cdktf', ...modules].map((m) => `require(${JSON.stringify(m)});`).join('');
  return `node -e '${script}'`;
}
