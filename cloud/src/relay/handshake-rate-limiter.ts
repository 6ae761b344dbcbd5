import { HANDSHAKES_PER_SOURCE_PER_SECOND } from '@keydepot/shared';

/**
 * Token bucket per source address for handshake initiations, checked before
 * any Diffie-Hellman work (DESIGN §2): a flood from one address costs the
 * relay a Map lookup, not an X25519. Buckets of idle sources are swept so
 * that a flood from many addresses cannot grow the map without bound.
 */
export class HandshakeRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  private lastSweepMs = 0;

  constructor(
    private readonly perSecond = HANDSHAKES_PER_SOURCE_PER_SECOND,
    private readonly burst = HANDSHAKES_PER_SOURCE_PER_SECOND,
    private readonly maxSources = 100_000,
  ) {}

  /** True if a handshake from `source` (e.g. "203.0.113.9:40000" or just the IP) may proceed now. */
  admit(source: string, nowMs: number): boolean {
    this.sweep(nowMs);
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxSources) return false;
      bucket = { tokens: this.burst, updatedMs: nowMs };
      this.buckets.set(source, bucket);
    } else {
      const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedSeconds * this.perSecond);
      bucket.updatedMs = nowMs;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 1000) return;
    this.lastSweepMs = nowMs;
    const refillMs = (this.burst / this.perSecond) * 1000;
    for (const [source, bucket] of this.buckets) {
      if (nowMs - bucket.updatedMs >= refillMs) this.buckets.delete(source);
    }
  }
}
