import { HANDSHAKES_PER_SOURCE_PER_SECOND } from '@keydepot/shared';

export interface HandshakeRateLimiterOptions {
  /** Initiations per source per second, and the burst a source may spend at once. */
  readonly perSecond?: number;
  readonly burst?: number;
  /** Sources tracked at most; when full, the least recently seen one is forgotten. */
  readonly maxSources?: number;
  /** Initiations per second the whole relay admits from sources it does not trust yet. */
  readonly globalPerSecond?: number;
  /** How long a source that completed an authenticated session keeps its priority lane (ms). */
  readonly trustedForMs?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Admission of handshake initiations, checked after mac1 and before any
 * Diffie-Hellman work (docs/operations.md, Handshake admission), in two layers:
 *
 * 1. A token bucket per source, so one address cannot hog the relay. When the
 *    table is full the least recently seen source is forgotten (a flood from
 *    spoofed addresses used to fill it and then lock every new source out,
 *    including a real depot whose NAT had moved it to a new port).
 * 2. A global budget per second for sources not trusted yet, which caps the DH
 *    work a flood from many sources can cause. Sources that recently completed
 *    an authenticated session (`trust`) skip it: a depot that was connected gets
 *    back in during a flood, however many spoofed sources compete.
 */
export class HandshakeRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly trusted = new Map<string, number>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxSources: number;
  private readonly globalPerSecond: number;
  private readonly trustedForMs: number;
  /** How often a trusted source's lease is renewed (and moved to the young end of the table). */
  private readonly trustRefreshMs: number;
  private globalTokens: number;
  private globalUpdatedMs = 0;

  constructor(options: HandshakeRateLimiterOptions = {}) {
    this.perSecond = options.perSecond ?? HANDSHAKES_PER_SOURCE_PER_SECOND;
    this.burst = options.burst ?? this.perSecond;
    this.maxSources = options.maxSources ?? 100_000;
    this.globalPerSecond = options.globalPerSecond ?? 1_000;
    this.trustedForMs = options.trustedForMs ?? 15 * 60_000;
    this.trustRefreshMs = Math.min(60_000, this.trustedForMs / 10);
    this.globalTokens = this.globalPerSecond;
  }

  /** True if a handshake from `source` (an IP, or "ip:port") may proceed now. */
  admit(source: string, nowMs: number): boolean {
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedMs: nowMs };
    } else {
      const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedSeconds * this.perSecond);
      bucket.updatedMs = nowMs;
      this.buckets.delete(source);
    }
    // Re-inserting keeps the Map in least-recently-seen order, so the first key is the one to evict.
    this.buckets.set(source, bucket);
    if (this.buckets.size > this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens < 1) return false;
    if (!this.isTrusted(source, nowMs)) {
      this.refillGlobal(nowMs);
      if (this.globalTokens < 1) return false;
      this.globalTokens -= 1;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Gives `source` the priority lane: it completed an authenticated session. */
  trust(source: string, nowMs: number): void {
    // Called for every accepted telegram: the lease is renewed only once a tenth of it (≤ 1 min) has passed.
    const until = this.trusted.get(source);
    if (until !== undefined && until - this.trustedForMs > nowMs - this.trustRefreshMs) return;
    this.trusted.delete(source);
    this.trusted.set(source, nowMs + this.trustedForMs);
    if (this.trusted.size > this.maxSources) {
      const oldest = this.trusted.keys().next().value;
      if (oldest !== undefined) this.trusted.delete(oldest);
    }
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private isTrusted(source: string, nowMs: number): boolean {
    const until = this.trusted.get(source);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.trusted.delete(source);
    return false;
  }

  private refillGlobal(nowMs: number): void {
    const elapsedSeconds = Math.max(0, nowMs - this.globalUpdatedMs) / 1000;
    this.globalTokens = Math.min(this.globalPerSecond, this.globalTokens + elapsedSeconds * this.globalPerSecond);
    this.globalUpdatedMs = nowMs;
  }
}
