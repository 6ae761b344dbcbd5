import {
  type CryptoBackend,
  MAX_DATAGRAM_BYTES,
  MIN_TRANSPORT_BYTES,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_MS,
  REPLAY_WINDOW_SIZE,
  ReplayWindow,
  readU32,
  TAG_BYTES,
  TelegramType,
  TRANSPORT_HEADER_BYTES,
  writePreamble,
  writeU32,
} from '@keydepot/shared';
import type { StoredSession } from '../store/relay/sessions.js';

export type OpenOutcome =
  | { readonly ok: true; readonly plaintext: Uint8Array; readonly counter: number; readonly newest: boolean }
  | { readonly ok: false; readonly reason: 'tag' | 'counter-limit' | 'replay' };

/**
 * The relay's end of one depot session. Unlike shared's TransportSession it
 * can be continued by any relay process: its send counters come in blocks
 * reserved from the database (never reused across processes), and its replay
 * window starts with every counter up to the stored highest marked as seen,
 * so a telegram replayed after a restart is still refused.
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
  /** Counters this process may still use: [nextCounter, blockEnd). */
  private nextCounter = 0;
  private blockEnd = 0;
  private blockReservedAtMs = 0;
  private readonly window = new ReplayWindow();
  private readonly nonce = new Uint8Array(12);

  constructor(
    private readonly backend: CryptoBackend,
    stored: StoredSession,
    private readonly sendKey = stored.sendKey,
    private readonly receiveKey = stored.receiveKey,
  ) {
    this.sessionId = stored.sessionId;
    this.depotId = stored.depotId;
    this.remoteId = stored.remoteId;
    this.createdAtMs = stored.createdAtMs;
    this.stamp = stored.stamp;
    this.confirmed = stored.confirmedAtMs !== null;
    this.endpoint = stored.endpoint;
    const highest = stored.receiveCounterHighest;
    // Everything at or below the stored highest counts as seen (older than the window is refused anyway).
    for (let c = Math.max(0, highest - REPLAY_WINDOW_SIZE); c <= highest; c++) this.window.accept(c);
  }

  isExpired(nowMs: number): boolean {
    return nowMs - this.createdAtMs >= REJECT_AFTER_MS;
  }

  /** Takes a fresh counter block [start, end) reserved in the database. */
  grantCounters(start: number, end: number, nowMs: number): void {
    this.nextCounter = start;
    this.blockEnd = end;
    this.blockReservedAtMs = nowMs;
  }

  /**
   * Counters left in the current block. A block older than `maxAgeMs` counts as
   * empty: another relay may have moved the depot's window far past it meanwhile.
   */
  countersLeft(nowMs: number, maxAgeMs: number): number {
    if (nowMs - this.blockReservedAtMs > maxAgeMs) return 0;
    return this.blockEnd - this.nextCounter;
  }

  /** Opens a transport telegram addressed to this session (shape and id already checked). */
  open(datagram: Uint8Array): OpenOutcome {
    const high = readU32(datagram, 12);
    const counter = high * 0x1_0000_0000 + readU32(datagram, 8);
    const plaintext = new Uint8Array(datagram.length - TRANSPORT_HEADER_BYTES - TAG_BYTES);
    for (let i = 0; i < 8; i++) this.nonce[4 + i] = datagram[8 + i];
    this.nonce[0] = this.nonce[1] = this.nonce[2] = this.nonce[3] = 0;
    const authentic = this.backend.aeadOpen(
      plaintext,
      datagram.subarray(TRANSPORT_HEADER_BYTES),
      datagram.subarray(0, TRANSPORT_HEADER_BYTES),
      this.nonce,
      this.receiveKey,
    );
    if (!authentic) return { ok: false, reason: 'tag' };
    if (high >= 0x10000 || counter >= REJECT_AFTER_MESSAGES) return { ok: false, reason: 'counter-limit' };
    const newest = counter > this.window.highest;
    if (!this.window.accept(counter)) return { ok: false, reason: 'replay' };
    return { ok: true, plaintext, counter, newest };
  }

  /** Seals a plaintext with the next counter of this process's block; throws if the block is empty. */
  seal(plaintext: Uint8Array): Uint8Array {
    if (this.nextCounter >= this.blockEnd) throw new CounterBlockEmptyError();
    const counter = this.nextCounter++;
    const datagram = new Uint8Array(TRANSPORT_HEADER_BYTES + plaintext.length + TAG_BYTES);
    if (datagram.length < MIN_TRANSPORT_BYTES || datagram.length > MAX_DATAGRAM_BYTES) throw new RangeError('size');
    writePreamble(datagram, TelegramType.Transport);
    writeU32(datagram, 4, this.remoteId);
    writeU32(datagram, 8, counter % 0x1_0000_0000);
    writeU32(datagram, 12, Math.floor(counter / 0x1_0000_0000));
    const nonce = new Uint8Array(12);
    nonce.set(datagram.subarray(8, 16), 4);
    this.backend.aeadSeal(
      datagram.subarray(TRANSPORT_HEADER_BYTES),
      plaintext,
      datagram.subarray(0, TRANSPORT_HEADER_BYTES),
      nonce,
      this.sendKey,
    );
    return datagram;
  }
}

/** No reserved send counter is left; reserve a block first. */
export class CounterBlockEmptyError extends Error {
  override readonly name = 'CounterBlockEmptyError';
}
