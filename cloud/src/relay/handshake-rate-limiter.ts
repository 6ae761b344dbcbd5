import { HANDSHAKES_PER_SOURCE_PER_SECOND } from '@keydepot/shared';

export interface HandshakeRateLimiterOptions {
  /** Initiations per source per second, and the burst a source may spend at once. */
  readonly perSecond?: number;
  readonly burst?: number;
  /** Sources tracked at most; when full, the least recently seen one is forgotten. */
  readonly maxSources?: number;
  /** Initiations per second the whole relay admits from sources it does not trust yet. */
  readonly globalPerSecond?: number;
  /** The same for initiations with a valid cookie (mac2), a budget of their own (default: globalPerSecond). */
  readonly provenPerSecond?: number;
  /** How long a source that completed an authenticated session keeps its priority lane (ms). */
  readonly trustedForMs?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Admission of handshake initiations, checked after mac1 and before any
 * Diffie-Hellman work (docs/protocol.md §6.3, §6.4; docs/operations.md,
 * Handshake admission), in two layers:
 *
 * 1. A token bucket per source, so one address cannot hog the relay. When the
 *    table is full the least recently seen source is forgotten (a flood from
 *    spoofed addresses used to fill it and then lock every new source out,
 *    including a real depot whose NAT had moved it to a new port).
 * 2. A global budget per second for sources not trusted yet, which caps the DH
 *    work a flood from many sources can cause. Sources that recently completed
 *    an authenticated session (`trust`) skip it: a depot that was connected gets
 *    back in during a flood, however many spoofed sources compete.
 *
 * An initiation this refuses is answered with a cookie reply; one whose mac2
 * carries that cookie proves its sender receives at its address and port, and
 * goes through `admitProven` instead: a bucket per address AND port, and a
 * global budget of its own that only endpoints trusted by address and port
 * skip. So a flood from the depot's own address (the carrier-grade NAT many
 * depots share, or spoofed) spends only its own lane.
 */
export class HandshakeRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly provenBuckets = new Map<string, Bucket>();
  private readonly trusted = new Map<string, number>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxSources: number;
  private readonly trustedForMs: number;
  /** How often a trusted source's lease is renewed (and moved to the young end of the table). */
  private readonly trustRefreshMs: number;
  private readonly global: GlobalBudget;
  private readonly provenGlobal: GlobalBudget;

  constructor(options: HandshakeRateLimiterOptions = {}) {
    this.perSecond = options.perSecond ?? HANDSHAKES_PER_SOURCE_PER_SECOND;
    this.burst = options.burst ?? this.perSecond;
    this.maxSources = options.maxSources ?? 100_000;
    const globalPerSecond = options.globalPerSecond ?? 1_000;
    this.trustedForMs = options.trustedForMs ?? 15 * 60_000;
    this.trustRefreshMs = Math.min(60_000, this.trustedForMs / 10);
    this.global = new GlobalBudget(globalPerSecond);
    this.provenGlobal = new GlobalBudget(options.provenPerSecond ?? globalPerSecond);
  }

  /** True if a handshake from `source` (an IP, or "ip:port") without a valid cookie may proceed now. */
  admit(source: string, nowMs: number): boolean {
    return this.take(this.buckets, source, source, this.global, nowMs);
  }

  /**
   * True if a handshake whose mac2 verified for `endpoint` ("ip:port") may
   * proceed now. Its priority lane is keyed by the endpoint, not the address:
   * a depot re-handshaking from the NAT mapping its last session used skips the
   * global budget, while anyone else behind the same address does not.
   */
  admitProven(endpoint: string, nowMs: number): boolean {
    return this.take(this.provenBuckets, endpoint, endpoint, this.provenGlobal, nowMs);
  }

  /**
   * Gives `source` the priority lane: it completed an authenticated session.
   * The relay calls it with the rate-limit key and with the endpoint ("ip:port").
   */
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

  /** Sources currently tracked (without and with a cookie). */
  get size(): number {
    return this.buckets.size;
  }

  get provenSize(): number {
    return this.provenBuckets.size;
  }

  private take(
    buckets: Map<string, Bucket>,
    key: string,
    source: string,
    global: GlobalBudget,
    nowMs: number,
  ): boolean {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedMs: nowMs };
    } else {
      const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedSeconds * this.perSecond);
      bucket.updatedMs = nowMs;
      buckets.delete(key);
    }
    // Re-inserting keeps the Map in least-recently-seen order, so the first key is the one to evict.
    buckets.set(key, bucket);
    if (buckets.size > this.maxSources) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    if (bucket.tokens < 1) return false;
    if (!this.isTrusted(source, nowMs) && !global.take(nowMs)) return false;
    bucket.tokens -= 1;
    return true;
  }

  private isTrusted(source: string, nowMs: number): boolean {
    const until = this.trusted.get(source);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.trusted.delete(source);
    return false;
  }
}

/** A token bucket for the whole relay: caps the Diffie-Hellman work a lane can cause per second. */
class GlobalBudget {
  private tokens: number;
  private updatedMs = 0;

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  take(nowMs: number): boolean {
    const elapsedSeconds = Math.max(0, nowMs - this.updatedMs) / 1000;
    this.tokens = Math.min(this.perSecond, this.tokens + elapsedSeconds * this.perSecond);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
