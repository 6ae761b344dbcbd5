/** The command-latency bench's figures: percentiles of each run and a Markdown table for docs/benchmarks.md. */

import type { LatencyRunResult } from './run.js';
import type { CommandTiming } from './settled.js';

/** Goal of issue 21: a command reaches an online depot and is confirmed within 2 s, p99. */
export const GOAL_P99_MS = 2_000;

export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Nearest-rank percentiles of exact values (a run has hundreds, not millions). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const ms = (value: number | null) => (value === null ? '–' : value.toFixed(0));
const pct = (p: Percentiles) => `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.max)}`;
const of = (timings: readonly CommandTiming[], pick: (t: CommandTiming) => number) => percentiles(timings.map(pick));

/** True when every queued command was applied and the p99 is within the goal. */
export function goalMet(result: LatencyRunResult): boolean {
  const p99 = of(result.timings, (t) => t.appliedMs).p99;
  return result.timings.length === result.queued && p99 !== null && p99 <= GOAL_P99_MS;
}

export function reportMarkdown(results: readonly LatencyRunResult[]): string {
  const rows = results.flatMap((r) => {
    const applied = of(r.timings, (t) => t.appliedMs);
    const states = Object.entries(r.states)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    const line = (what: string, p: Percentiles, mark = '') =>
      `| ${r.engine} | ${what} | ${p.count} | ${pct(p)}${mark} |`;
    return [
      line(
        'queued → COMMAND_APPLIED stored, all',
        applied,
        applied.p99 === null ? '' : applied.p99 <= GOAL_P99_MS ? ' ✓' : ' ✗',
      ),
      line(
        '… PINs (PIN_ADD)',
        of(
          r.timings.filter((t) => t.kind === 'pin'),
          (t) => t.appliedMs,
        ),
      ),
      line(
        '… remote opens (OPEN)',
        of(
          r.timings.filter((t) => t.kind === 'open'),
          (t) => t.appliedMs,
        ),
      ),
      line(
        'part 1: queued → sent by the relay',
        of(r.timings, (t) => t.sentMs),
      ),
      line(
        'part 2: sent → COMMAND_APPLIED stored',
        of(r.timings, (t) => t.appliedMs - t.sentMs),
      ),
      `| ${r.engine} | baseline: the fleet's exchange round trips in the window | ${r.fleetRoundTrip.count} | ${ms(r.fleetRoundTrip.p50)} / ${ms(r.fleetRoundTrip.p99)} / – |`,
      `| ${r.engine} | (${r.queued} queued: ${states}; fleet ${r.fleetTelegramsPerSecond.toFixed(0)} telegrams/s, ${r.retransmissions} retransmissions; load average ${r.loadAverage.toFixed(1)}) | | |`,
    ];
  });
  return ['| engine | what | n | p50 / p99 / max ms |', '| --- | --- | ---: | ---: |', ...rows].join('\n');
}
