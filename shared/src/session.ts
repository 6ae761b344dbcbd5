import {
  MAX_DATAGRAM_BYTES,
  MAX_PLAINTEXT_BYTES,
  MIN_TRANSPORT_BYTES,
  REJECT_AFTER_MESSAGES,
  REJECT_AFTER_MS,
  REKEY_AFTER_MESSAGES,
  REKEY_AFTER_MS,
  REPLAY_WINDOW_SIZE,
  TAG_BYTES,
  TelegramType,
  TRANSPORT_HEADER_BYTES,
} from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import type { DropReason } from './errors.js';
import { ReplayWindow } from './replay-window.js';
import { readU32, writePreamble, writeU32 } from './telegram.js';

/**
 * Uninitialised bytes from Node's buffer pool, as a plain Uint8Array (so that
 * slice() copies, unlike Buffer's). Only for buffers whose every byte is written.
 */
function pooledBytes(length: number): Uint8Array {
  const buffer = Buffer.allocUnsafe(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

export type OpenResult =
  | {
      readonly ok: true;
      readonly plaintext: Uint8Array;
      readonly counter: number;
      /** Higher than every counter accepted before: only such a telegram may move the peer's endpoint. */
      readonly newest: boolean;
    }
  | { readonly ok: false; readonly reason: DropReason };

export interface SessionParams {
  readonly backend: CryptoBackend;
  /** Our session id: the peer writes it into every telegram it sends us. */
  readonly localId: number;
  /** The peer's session id: we write it into every telegram we send. */
  readonly remoteId: number;
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  /** When the handshake completed (ms since the epoch); sessions age out from it. */
  readonly establishedAtMs: number;
  /**
   * For a session continued from storage (another relay process, a restart):
   * every counter up to this one counts as already received, so a replay of
   * an old telegram is refused by the new holder too.
   */
  readonly receivedThrough?: number;
}

/**
 * One side of an established session: seals outgoing transport telegrams with
 * an explicit counter and opens incoming ones behind the replay window.
 *
 * Telegram = header (16 B, the associated data) · ciphertext · tag (16 B).
 * The AEAD nonce is 4 zero bytes followed by the header's 8 counter bytes
 * (Noise's ChaChaPoly nonce for that counter).
 */
export class TransportSession {
  readonly backend: CryptoBackend;
  readonly localId: number;
  readonly remoteId: number;
  readonly establishedAtMs: number;
  private readonly sendKey: Uint8Array;
  private readonly receiveKey: Uint8Array;
  private readonly replay = new ReplayWindow();
  private readonly nonce = new Uint8Array(12);
  private nextCounter = 0;

  constructor(params: SessionParams) {
    this.backend = params.backend;
    this.localId = params.localId;
    this.remoteId = params.remoteId;
    this.sendKey = params.sendKey;
    this.receiveKey = params.receiveKey;
    this.establishedAtMs = params.establishedAtMs;
    const through = params.receivedThrough ?? -1;
    // Older than the window is refused anyway; marking the window's width is enough.
    for (let c = Math.max(0, through - REPLAY_WINDOW_SIZE); c <= through; c++) this.replay.accept(c);
  }

  /**
   * Continues sending at `counter`, which must not lie below the next one: a
   * relay process takes its counters in blocks reserved in the database, so
   * that no two processes ever seal with the same nonce.
   */
  moveSendCounterTo(counter: number): void {
    if (!Number.isSafeInteger(counter) || counter < this.nextCounter) {
      throw new RangeError(`send counter may only move forward (at ${this.nextCounter}, asked for ${counter})`);
    }
    this.nextCounter = counter;
  }

  /**
   * The parameters this session was built from, keys included, so that a relay
   * can store it and another relay process can continue it (docs/operations.md).
   * Whoever calls this holds the session's secrets: keep them out of logs.
   */
  exportParams(): SessionParams {
    const { backend, localId, remoteId, sendKey, receiveKey, establishedAtMs } = this;
    return { backend, localId, remoteId, sendKey, receiveKey, establishedAtMs };
  }

  /** Counter the next sealed telegram will carry. */
  get sendCounter(): number {
    return this.nextCounter;
  }

  /** Highest counter received so far, or -1. */
  get receiveCounter(): number {
    return this.replay.highest;
  }

  /** True once the session is old or busy enough that the initiator should rekey. */
  needsRekey(nowMs: number): boolean {
    return nowMs - this.establishedAtMs >= REKEY_AFTER_MS || this.nextCounter >= REKEY_AFTER_MESSAGES;
  }

  /** True once the session must not be used any more, in either direction. */
  isExpired(nowMs: number): boolean {
    return nowMs - this.establishedAtMs >= REJECT_AFTER_MS || this.nextCounter >= REJECT_AFTER_MESSAGES;
  }

  /** Seals a plaintext (encoded frames) into a new telegram. */
  seal(plaintext: Uint8Array): Uint8Array {
    // Pooled and uninitialised: cheaper than a zeroed off-heap array, and sealInto writes every byte.
    const datagram = pooledBytes(TRANSPORT_HEADER_BYTES + plaintext.length + TAG_BYTES);
    this.sealInto(datagram, plaintext);
    return datagram;
  }

  /** Seals into a caller's buffer of exactly header + plaintext + tag bytes; no allocation. */
  sealInto(datagram: Uint8Array, plaintext: Uint8Array): void {
    if (plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new RangeError(`plaintext of ${plaintext.length} bytes exceeds ${MAX_PLAINTEXT_BYTES}`);
    }
    if (datagram.length !== TRANSPORT_HEADER_BYTES + plaintext.length + TAG_BYTES) {
      throw new RangeError('datagram buffer must be header + plaintext + tag bytes long');
    }
    const counter = this.nextCounter;
    if (counter >= REJECT_AFTER_MESSAGES) throw new RangeError('session exhausted: rekey first');
    this.nextCounter = counter + 1;
    writePreamble(datagram, TelegramType.Transport);
    writeU32(datagram, 4, this.remoteId);
    writeU32(datagram, 8, counter % 0x1_0000_0000);
    writeU32(datagram, 12, Math.floor(counter / 0x1_0000_0000));
    this.copyNonce(datagram);
    this.backend.aeadSeal(
      datagram.subarray(TRANSPORT_HEADER_BYTES),
      plaintext,
      datagram.subarray(0, TRANSPORT_HEADER_BYTES),
      this.nonce,
      this.sendKey,
    );
  }

  /** Nonce = 4 zero bytes ‖ the header's 8 counter bytes (a loop: cheaper than a subarray). */
  private copyNonce(datagram: Uint8Array): void {
    for (let i = 0; i < 8; i++) this.nonce[4 + i] = datagram[8 + i];
  }

  /**
   * Opens a transport telegram already classified as addressed to this
   * session. Order of checks (docs/protocol.md, drop rules): the tag first,
   * then the counter against the replay window, so that a forged telegram can
   * neither move the window nor learn anything from the answer (there is none).
   */
  open(datagram: Uint8Array): OpenResult {
    if (datagram.length < MIN_TRANSPORT_BYTES || datagram.length > MAX_DATAGRAM_BYTES) {
      return { ok: false, reason: 'size' };
    }
    const counterHigh = readU32(datagram, 12);
    const counter = counterHigh * 0x1_0000_0000 + readU32(datagram, 8);
    // Pooled: every byte is overwritten when the tag verifies, and discarded when it does not.
    const plaintext = pooledBytes(datagram.length - TRANSPORT_HEADER_BYTES - TAG_BYTES);
    this.copyNonce(datagram);
    const authentic = this.backend.aeadOpen(
      plaintext,
      datagram.subarray(TRANSPORT_HEADER_BYTES),
      datagram.subarray(0, TRANSPORT_HEADER_BYTES),
      this.nonce,
      this.receiveKey,
    );
    if (!authentic) return { ok: false, reason: 'tag' };
    // counterHigh ≥ 2^16 means ≥ 2^48 (and would lose precision as a number).
    if (counterHigh >= 0x10000 || counter >= REJECT_AFTER_MESSAGES) return { ok: false, reason: 'counter-limit' };
    const newest = counter > this.replay.highest;
    if (!this.replay.accept(counter)) return { ok: false, reason: 'replay' };
    return { ok: true, plaintext, counter, newest };
  }
}
