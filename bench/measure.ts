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

/** Runs a shell command `runs` times (after one unmeasured warm-up) and keeps wall time and peak RSS. */
export function measureCommand(
  label: string,
  command: string,
  opts: { cwd: string; runs: number; env?: NodeJS.ProcessEnv; exitCodes?: readonly number[] },
): Measurement {
  const rssDir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const samples: Sample[] = [];
  try {
    for (let run = -1; run < opts.runs; run++) {
      const rssFile = join(rssDir, `run${run}`);
      const env = {
        ...process.env,
        ...opts.env,
        BENCH_RSS_FILE: rssFile,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'report-rss.js')}`.trim(),
      };
      const start = process.hrtime.bigint();
      const result = spawnSync(command, { cwd: opts.cwd, env, shell: true, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (!(opts.exitCodes ?? [0]).includes(result.status ?? -1)) throw new Error(`${label}: "${command}" failed (${result.status}):\n${result.stderr}`);
      if (run < 0) continue;
      const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
      samples.push({ ms, peakMb: Math.max(...rss) / 1024 });
    }
  } finally {
    rmSync(rssDir, { recursive: true, force: true });
  }
  return {
    label,
    samples,
    medianMs: median(samples.map((s) => s.ms)),
    medianPeakMb: median(samples.map((s) => s.peakMb)),
  };
}

/** The provider modules the library imports by deep path: what the floor must load too. */
export function providerModulesUsed(libDir: string): string[] {
  const modules = new Set<string>();
  for (const file of readdirSync(libDir).filter((f) => f.endsWith('.ts'))) {
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
