/** Request timing: interleaved rounds, one request in flight, percentiles per route. */
import type { Portal } from '../../cloud/src/portal/portal-app.js';
import { progress } from '../protocol/progress.js';

/** One thing to time: a page as one user gets it, or a bare call (the store's SELECT 1). */
export interface Probe {
  readonly name: string;
  /** Who asks (shown in the report). */
  readonly who: string;
  run(): Promise<number>;
}

export interface Timing {
  readonly name: string;
  readonly who: string;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Response size in bytes (0 for bare calls). */
  readonly bytes: number;
}

/** A GET through the whole portal (every middleware, the session lookup, the page) with the body read. */
export function pageProbe(app: Portal['app'], cookie: string, name: string, who: string, path: string): Probe {
  return {
    name,
    who,
    async run() {
      const response = await app.request(
        `http://localhost${path}`,
        { headers: { host: 'localhost', cookie } },
        { incoming: { socket: { remoteAddress: '192.0.2.10' } } },
      );
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${path} as ${who} answered ${response.status}`);
      return body.byteLength;
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? 0;
}

/**
 * Runs warm-up rounds, then timed rounds; every round asks each probe once,
 * so a slow moment of the machine (a neighbour, a GC, a checkpoint) hits all
 * probes alike instead of one route's whole series.
 */
export async function timeProbes(
  probes: readonly Probe[],
  options: { warmup: number; requests: number; label: string },
): Promise<Timing[]> {
  const samples = probes.map(() => [] as number[]);
  const sizes = probes.map(() => 0);
  const rounds = options.warmup + options.requests;
  for (let round = 0; round < rounds; round++) {
    for (const [i, probe] of probes.entries()) {
      const started = performance.now();
      sizes[i] = await probe.run();
      const ms = performance.now() - started;
      if (round >= options.warmup) samples[i]?.push(ms);
    }
    const phase = round < options.warmup ? 'warm-up' : 'timed';
    progress.update(`${options.label}: ${phase} round ${round + 1}/${rounds}`);
  }
  return probes.map((probe, i) => {
    const sorted = (samples[i] ?? []).sort((a, b) => a - b);
    return {
      name: probe.name,
      who: probe.who,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      bytes: sizes[i] ?? 0,
    };
  });
}
