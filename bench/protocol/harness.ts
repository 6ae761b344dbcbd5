/** The timing harness: warm-up, timed rounds interleaved across benches, and the median of the rounds. */
import type { BenchOptions } from './options.js';
import { formatRate, progress } from './progress.js';

export interface Measurement {
  /** Median of the rounds. */
  readonly opsPerSecond: number;
  readonly rounds: readonly number[];
}

/** `run(n)` performs n operations; it must throw if one goes wrong. */
export type Workload = (n: number) => void;

export interface Bench {
  readonly id: string;
  readonly label: string;
  readonly run: Workload;
  /** Operations between clock reads, sized from the warm-up to ~2 ms. */
  batch: number;
  readonly rounds: number[];
}

function timedRound(bench: Bench, seconds: number, status: string): number {
  const budgetMs = seconds * 1000;
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  do {
    bench.run(bench.batch);
    ops += bench.batch;
    elapsed = performance.now() - start;
    progress.update(`${status}  ${formatRate(ops)} ops  ${formatRate((ops * 1000) / elapsed)}/s`);
  } while (elapsed < budgetMs);
  return (ops * 1000) / elapsed;
}

function warmUp(bench: Bench, seconds: number, status: string): void {
  bench.batch = 1;
  // Grow the batch until one takes ~2 ms, then run the rest of the warm-up at that size.
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const t0 = performance.now();
    bench.run(bench.batch);
    const took = performance.now() - t0;
    progress.update(`${status}  warm-up`);
    if (took >= 2 || bench.batch >= 1 << 20) break;
    bench.batch *= 2;
  }
  while (performance.now() < deadline) {
    bench.run(bench.batch);
    progress.update(`${status}  warm-up`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Warms every bench up, then runs the rounds interleaved: a1 b1 c1, b2 c2 a2, … (rotating who goes first). */
export function measureInterleaved(
  group: string,
  benches: readonly Bench[],
  options: BenchOptions,
): Map<string, Measurement> {
  const warmSeconds = Math.min(0.4, Math.max(0.1, options.seconds / 2));
  for (const bench of benches) warmUp(bench, warmSeconds, `${group} · ${bench.label}`);
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < benches.length; i++) {
      const bench = benches[(round + i) % benches.length];
      const status = `${group} · ${bench.label} · round ${round + 1}/${options.rounds}`;
      bench.rounds.push(timedRound(bench, options.seconds, status));
    }
  }
  const results = new Map<string, Measurement>();
  for (const bench of benches) {
    const result = { opsPerSecond: median(bench.rounds), rounds: bench.rounds };
    results.set(bench.id, result);
    progress.log(`  ${group} · ${bench.label}: ${formatRate(result.opsPerSecond)}/s`);
  }
  return results;
}

export function bench(id: string, label: string, run: Workload): Bench {
  return { id, label, run, batch: 1, rounds: [] };
}

/** Something the optimiser cannot prove unused: every workload adds to it, and the results file shows it. */
export const sink = { value: 0 };
