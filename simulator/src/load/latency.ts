/**
 * Round-trip times as a log-bucketed histogram: each depot host keeps one, the
 * driver sums them, and percentiles come out within 2.5 % (bucket width) without
 * keeping one number per telegram (a 10,000-depot run sends millions).
 */

/** Lower edge of bucket 0, ms. */
const BASE_MS = 0.01;
/** Each bucket is 5 % wider than the one before. */
const RATIO = 1.05;
/** 0.01 ms · 1.05^400 ≈ 3,000 s: every round trip the link can wait for fits. */
const LATENCY_BUCKETS = 400;
const LOG_RATIO = Math.log(RATIO);

export class LatencyHistogram {
  readonly counts: number[];

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(LATENCY_BUCKETS).fill(0);
  }

  record(ms: number): void {
    const index = ms <= BASE_MS ? 0 : Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log(ms / BASE_MS) / LOG_RATIO));
    this.counts[index]++;
  }

  /** Adds another host's counts into this one. */
  add(other: { readonly counts: readonly number[] }): void {
    for (let i = 0; i < LATENCY_BUCKETS; i++) this.counts[i] += other.counts[i] ?? 0;
  }

  get total(): number {
    return this.counts.reduce((sum, n) => sum + n, 0);
  }

  /** The upper edge of the bucket holding the p-th fraction (0..1), ms; null when empty. */
  percentile(p: number): number | null {
    const total = this.total;
    if (total === 0) return null;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return BASE_MS * RATIO ** (i + 1);
    }
    return BASE_MS * RATIO ** LATENCY_BUCKETS;
  }
}
