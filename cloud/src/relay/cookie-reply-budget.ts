export interface CookieReplyBudgetOptions {
  /** An address and port gets at most one cookie reply this often (default 1 s). */
  readonly perEndpointEveryMs?: number;
  /** Cookie replies per second for the whole relay (default 5,000). */
  readonly perSecond?: number;
  /** Endpoints remembered at most; the least recently answered is forgotten first (default 100,000). */
  readonly maxEndpoints?: number;
}

/**
 * How many cookie replies the relay sends (docs/protocol.md §6.4). Each one is
 * a hash, an AEAD and a datagram out: answering every initiation of a flood
 * made the relay slower at taking datagrams in, and the depot's initiation
 * waited behind the flood in the socket buffer. One reply per address and port
 * a second is all a depot needs (it keeps its cookie for 110 s); a flood from
 * one port draws one a second, a flood from many (spoofed) ports is capped by
 * the global budget. An off-path attacker cannot spend the depot's own
 * allowance without guessing its NAT port, i.e. flooding every port, which the
 * global budget caps anyway.
 */
export class CookieReplyBudget {
  private readonly lastReplyMs = new Map<string, number>();
  private readonly everyMs: number;
  private readonly perSecond: number;
  private readonly maxEndpoints: number;
  private tokens: number;
  private updatedMs = 0;

  constructor(options: CookieReplyBudgetOptions = {}) {
    this.everyMs = options.perEndpointEveryMs ?? 1_000;
    this.perSecond = options.perSecond ?? 5_000;
    this.maxEndpoints = options.maxEndpoints ?? 100_000;
    this.tokens = this.perSecond;
  }

  /** True if `endpoint` ("ip:port") may be sent a cookie reply now (and counts it). */
  take(endpoint: string, nowMs: number): boolean {
    const last = this.lastReplyMs.get(endpoint);
    if (last !== undefined && nowMs - last < this.everyMs && nowMs >= last) return false;
    const elapsedSeconds = Math.max(0, nowMs - this.updatedMs) / 1000;
    this.tokens = Math.min(this.perSecond, this.tokens + elapsedSeconds * this.perSecond);
    this.updatedMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    // Re-inserting keeps the Map in least-recently-answered order, so the first key is the one to evict.
    this.lastReplyMs.delete(endpoint);
    this.lastReplyMs.set(endpoint, nowMs);
    if (this.lastReplyMs.size > this.maxEndpoints) {
      const oldest = this.lastReplyMs.keys().next().value;
      if (oldest !== undefined) this.lastReplyMs.delete(oldest);
    }
    return true;
  }
}
