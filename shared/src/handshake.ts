import { equalBytes, readU64Number, utf8, viewOf, writeU64Number } from './bytes.js';
import {
  HANDSHAKE_INITIATION_BYTES,
  HANDSHAKE_RESPONSE_BYTES,
  INITIATION_STAMP_BYTES,
  MAC1_BYTES,
  MAC1_LABEL,
  NOISE_PROLOGUE,
  TelegramType,
} from './constants.js';
import type { CryptoBackend, KeyPair } from './crypto/backend.js';
import type { DropReason } from './errors.js';
import { cookieKey, INITIATION_MAC1_AT, INITIATION_MAC2_AT, initiationMac2, openCookieReply } from './noise/cookie.js';
import { IkInitiator, IkResponder } from './noise/handshake-ik.js';
import { TransportSession } from './session.js';
import { classifyDatagram, readU32, writePreamble, writeU32 } from './telegram.js';

/*
 * The handshake telegrams wrap the two Noise IK messages:
 *
 * initiation (144 B): type=1 · version · reserved(2) · sender id(4) ·
 *   Noise message A (e 32 · enc s 48 · enc stamp 24) · mac1 (16) · mac2 (16)
 * response (76 B):    type=2 · version · reserved(2) · sender id(4) · receiver id(4) ·
 *   Noise message B (e 32 · enc empty payload 16) · mac1 (16)
 *
 * mac1 = BLAKE2b-128(key = BLAKE2b-256("mac1----" ‖ receiver's static public key),
 * everything before mac1). It proves only that the sender knows the receiver's
 * public key, which lets the relay drop random junk before any Diffie-Hellman.
 * mac2 is zero unless the depot holds a cookie from the relay (noise/cookie.ts):
 * under load the relay admits only initiations whose mac2 proves that their
 * sender receives datagrams at its source address.
 *
 * The initiation payload is an 8-byte stamp that must grow with every
 * initiation of a depot (the relay keeps the highest one it accepted), so a
 * recorded initiation cannot be replayed, not even after a relay restart.
 */

const PROLOGUE = utf8(NOISE_PROLOGUE);
const EMPTY = new Uint8Array(0);
const RESPONSE_MAC1_AT = HANDSHAKE_RESPONSE_BYTES - MAC1_BYTES;

export function mac1Key(backend: CryptoBackend, receiverPublicKey: Uint8Array): Uint8Array {
  return backend.blake2b(32, [utf8(MAC1_LABEL), receiverPublicKey]);
}

function mac1(backend: CryptoBackend, key: Uint8Array, covered: Uint8Array): Uint8Array {
  return backend.blake2b(MAC1_BYTES, [covered], key);
}

export type HandshakeResult<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: DropReason };

/** The depot's half-done handshake, waiting for the relay's response. */
export class PendingInitiation {
  private bytes: Uint8Array;
  private done = false;

  constructor(
    private readonly backend: CryptoBackend,
    private readonly noise: IkInitiator,
    readonly localId: number,
    private readonly ownMac1Key: Uint8Array,
    private readonly relayCookieKey: Uint8Array,
    datagram: Uint8Array,
  ) {
    this.bytes = datagram;
  }

  /** The initiation telegram as it goes out now (withCookie replaces it). */
  get datagram(): Uint8Array {
    return this.bytes;
  }

  /** The cookie from the relay's cookie reply to this initiation, or why the reply was dropped. */
  consumeCookieReply(datagram: Uint8Array): HandshakeResult<{ cookie: Uint8Array }> {
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return shape;
    if (shape.type !== TelegramType.CookieReply) return { ok: false, reason: 'type' };
    if (shape.sessionId !== this.localId) return { ok: false, reason: 'unknown-session' };
    if (this.done) return { ok: false, reason: 'cookie' };
    const mac1 = this.datagram.subarray(INITIATION_MAC1_AT, INITIATION_MAC2_AT);
    const cookie = openCookieReply(this.backend, datagram, this.relayCookieKey, mac1);
    return cookie === null ? { ok: false, reason: 'cookie' } : { ok: true, cookie };
  }

  /**
   * The initiation again with mac2 made from `cookie` (a new buffer: the old one
   * may still be on its way out). The relay answered it with a cookie reply and
   * ran no Noise on it, so the same message A (and stamp) may go out again.
   */
  withCookie(cookie: Uint8Array): Uint8Array {
    const next = this.bytes.slice();
    next.set(initiationMac2(this.backend, cookie, next), INITIATION_MAC2_AT);
    this.bytes = next;
    return next;
  }

  /** Completes the handshake from the relay's response, or says why it was dropped. */
  consumeResponse(datagram: Uint8Array, nowMs: number): HandshakeResult<{ session: TransportSession }> {
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return shape;
    if (shape.type !== TelegramType.HandshakeResponse) return { ok: false, reason: 'type' };
    if (shape.sessionId !== this.localId) return { ok: false, reason: 'unknown-session' };
    const expected = mac1(this.backend, this.ownMac1Key, datagram.subarray(0, RESPONSE_MAC1_AT));
    if (!equalBytes(expected, datagram.subarray(RESPONSE_MAC1_AT))) return { ok: false, reason: 'mac1' };
    // The Noise state moves on with every message: a second (e.g. duplicated) response is dropped.
    if (this.done) return { ok: false, reason: 'handshake' };
    const result = this.noise.readMessageB(datagram.subarray(12, RESPONSE_MAC1_AT));
    if (result === null || result.payload.length !== 0) return { ok: false, reason: 'handshake' };
    this.done = true;
    const session = new TransportSession({
      backend: this.backend,
      localId: this.localId,
      remoteId: readU32(datagram, 4),
      sendKey: result.keys.sendKey,
      receiveKey: result.keys.receiveKey,
      establishedAtMs: nowMs,
    });
    return { ok: true, session };
  }
}

export interface InitiationParams {
  readonly backend: CryptoBackend;
  /** The depot's static key pair. */
  readonly staticKeys: KeyPair;
  readonly relayPublicKey: Uint8Array;
  /** The depot's fresh random session id. */
  readonly localId: number;
  /** Strictly greater than every stamp this depot sent before (persist it first). */
  readonly stamp: number;
  /** The relay's cookie, if the depot holds a usable one: it goes into mac2 (else mac2 is zero). */
  readonly cookie?: Uint8Array;
  /** Fixed ephemeral keys: for test vectors only. */
  readonly ephemeralKeys?: KeyPair;
}

/** Depot side: builds the initiation telegram. */
export function createInitiation(params: InitiationParams): PendingInitiation {
  const { backend } = params;
  const noise = new IkInitiator(backend, {
    prologue: PROLOGUE,
    staticKeys: params.staticKeys,
    remoteStatic: params.relayPublicKey,
    ephemeralKeys: params.ephemeralKeys,
  });
  const stamp = new Uint8Array(INITIATION_STAMP_BYTES);
  writeU64Number(viewOf(stamp), 0, params.stamp);
  const message = noise.writeMessageA(stamp);
  if (message === null) throw new RangeError('relay public key is a low-order point');
  const datagram = new Uint8Array(HANDSHAKE_INITIATION_BYTES);
  writePreamble(datagram, TelegramType.HandshakeInitiation);
  writeU32(datagram, 4, params.localId);
  datagram.set(message, 8);
  datagram.set(
    mac1(backend, mac1Key(backend, params.relayPublicKey), datagram.subarray(0, INITIATION_MAC1_AT)),
    INITIATION_MAC1_AT,
  );
  const pending = new PendingInitiation(
    backend,
    noise,
    params.localId,
    mac1Key(backend, params.staticKeys.publicKey),
    cookieKey(backend, params.relayPublicKey),
    datagram,
  );
  if (params.cookie !== undefined) pending.withCookie(params.cookie);
  return pending;
}

/** An initiation that verified: who sent it, and how to answer it. */
export interface OpenedInitiation {
  readonly depotPublicKey: Uint8Array;
  readonly stamp: number;
  /** The depot's session id, to be written into every telegram sent to it. */
  readonly remoteId: number;
  /** Accept the depot: builds the response telegram and the relay's session. */
  respond(localId: number, nowMs: number): HandshakeResult<{ datagram: Uint8Array; session: TransportSession }>;
}

/** Relay side: opens handshake initiations addressed to its static key. */
export class HandshakeResponder {
  private readonly ownMac1Key: Uint8Array;

  constructor(
    private readonly backend: CryptoBackend,
    private readonly staticKeys: KeyPair,
  ) {
    this.ownMac1Key = mac1Key(backend, staticKeys.publicKey);
  }

  /**
   * Opens an initiation. `admit` runs after the cheap mac1 check and before
   * any Diffie-Hellman work: the relay's rate limits and its mac2 (cookie)
   * check go there.
   * `ephemeralKeys` is for test vectors only.
   */
  openInitiation(
    datagram: Uint8Array,
    admit: () => boolean = () => true,
    ephemeralKeys?: KeyPair,
  ): HandshakeResult<OpenedInitiation> {
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return shape;
    if (shape.type !== TelegramType.HandshakeInitiation) return { ok: false, reason: 'type' };
    const expected = mac1(this.backend, this.ownMac1Key, datagram.subarray(0, INITIATION_MAC1_AT));
    if (!equalBytes(expected, datagram.subarray(INITIATION_MAC1_AT, INITIATION_MAC2_AT))) {
      return { ok: false, reason: 'mac1' };
    }
    // mac2 is the relay's business (a cookie it gave): it checks it in `admit`.
    if (!admit()) return { ok: false, reason: 'rate-limit' };
    const noise = new IkResponder(this.backend, {
      prologue: PROLOGUE,
      staticKeys: this.staticKeys,
      ephemeralKeys,
    });
    const payload = noise.readMessageA(datagram.subarray(8, INITIATION_MAC1_AT));
    const depotPublicKey = noise.remoteStatic;
    if (payload === null || depotPublicKey === null || payload.length !== INITIATION_STAMP_BYTES) {
      return { ok: false, reason: 'handshake' };
    }
    const stamp = readU64Number(viewOf(payload), 0);
    if (stamp < 0) return { ok: false, reason: 'handshake' };
    const backend = this.backend;
    const remoteId = shape.sessionId;
    let responded = false;
    return {
      ok: true,
      depotPublicKey,
      stamp,
      remoteId,
      respond(localId, nowMs) {
        if (responded) throw new Error('respond() called twice for one initiation');
        responded = true;
        const reply = noise.writeMessageB(EMPTY);
        if (reply === null) return { ok: false, reason: 'handshake' };
        const out = new Uint8Array(HANDSHAKE_RESPONSE_BYTES);
        writePreamble(out, TelegramType.HandshakeResponse);
        writeU32(out, 4, localId);
        writeU32(out, 8, remoteId);
        out.set(reply.message, 12);
        out.set(mac1(backend, mac1Key(backend, depotPublicKey), out.subarray(0, RESPONSE_MAC1_AT)), RESPONSE_MAC1_AT);
        const session = new TransportSession({
          backend,
          localId,
          remoteId,
          sendKey: reply.keys.sendKey,
          receiveKey: reply.keys.receiveKey,
          establishedAtMs: nowMs,
        });
        return { ok: true, datagram: out, session };
      },
    };
  }
}
