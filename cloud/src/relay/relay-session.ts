import { type CryptoBackend, REJECT_AFTER_MS, TransportSession } from '@keydepot/shared';
import type { StoredSession } from '../store/relay/sessions.js';

export type OpenOutcome =
  | { readonly ok: true; readonly plaintext: Uint8Array; readonly counter: number; readonly newest: boolean }
  | { readonly ok: false; readonly reason: 'size' | 'tag' | 'counter-limit' | 'replay' };

/**
 * The relay's end of one depot session, on shared's TransportSession (one
 * seal/open for both sides). What it adds: any relay process can continue it.
 * Its send counters come in blocks reserved from the database (never reused
 * across processes), and its replay window starts with every counter up to
 * the stored highest marked as seen, so a telegram replayed after a restart is
 * still refused.
 */
export class RelaySession {
  readonly sessionId: number;
  readonly depotId: number;
  readonly remoteId: number;
  readonly createdAtMs: number;
  readonly stamp: number;
  confirmed: boolean;
  /** "address:port" where replies and pushes go (protocol §7, endpoint). */
  endpoint: string | null;
  private readonly transport: TransportSession;
  /** This process may seal with counters below blockEnd (from transport.sendCounter). */
  private blockEnd = 0;
  private blockReservedAtMs = 0;

  constructor(backend: CryptoBackend, stored: StoredSession) {
    this.sessionId = stored.sessionId;
    this.depotId = stored.depotId;
    this.remoteId = stored.remoteId;
    this.createdAtMs = stored.createdAtMs;
    this.stamp = stored.stamp;
    this.confirmed = stored.confirmedAtMs !== null;
    this.endpoint = stored.endpoint;
    this.transport = new TransportSession({
      backend,
      localId: stored.sessionId,
      remoteId: stored.remoteId,
      sendKey: stored.sendKey,
      receiveKey: stored.receiveKey,
      establishedAtMs: stored.createdAtMs,
      receivedThrough: stored.receiveCounterHighest,
    });
  }

  isExpired(nowMs: number): boolean {
    return nowMs - this.createdAtMs >= REJECT_AFTER_MS;
  }

  /**
   * Takes a fresh counter block [start, end) reserved in the database. A block
   * below the counters already used (two reservations finishing out of order)
   * is left unused: counters only move forward.
   */
  grantCounters(start: number, end: number, nowMs: number): void {
    if (start < this.transport.sendCounter) return;
    this.transport.moveSendCounterTo(start);
    this.blockEnd = end;
    this.blockReservedAtMs = nowMs;
  }

  /**
   * Counters left in the current block. A block older than `maxAgeMs` counts as
   * empty: another relay may have moved the depot's window far past it meanwhile.
   */
  countersLeft(nowMs: number, maxAgeMs: number): number {
    if (nowMs - this.blockReservedAtMs > maxAgeMs) return 0;
    return Math.max(0, this.blockEnd - this.transport.sendCounter);
  }

  /** Opens a transport telegram addressed to this session (shape and id already checked). */
  open(datagram: Uint8Array): OpenOutcome {
    const opened = this.transport.open(datagram);
    if (!opened.ok) return { ok: false, reason: opened.reason as 'size' | 'tag' | 'counter-limit' | 'replay' };
    return opened;
  }

  /** Seals a plaintext with the next counter of this process's block; throws if the block is empty. */
  seal(plaintext: Uint8Array): Uint8Array {
    if (this.transport.sendCounter >= this.blockEnd) throw new CounterBlockEmptyError();
    return this.transport.seal(plaintext);
  }
}

/** No reserved send counter is left; reserve a block first. */
class CounterBlockEmptyError extends Error {
  override readonly name = 'CounterBlockEmptyError';
}
