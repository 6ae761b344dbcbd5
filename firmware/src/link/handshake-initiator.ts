import {
  COOKIE_USABLE_MS,
  type CryptoBackend,
  createInitiation,
  type KeyPair,
  type PendingInitiation,
  randomBytes,
  readU32,
} from '@keydepot/shared';
import { nextInitiationStamp } from './initiation-stamp.js';
import type { StampStore } from './stamp-store.js';

export interface InitiatorOptions {
  readonly backend: CryptoBackend;
  readonly staticKeys: KeyPair;
  readonly relayPublicKey: Uint8Array;
  readonly stamps: StampStore;
  /** The system's wall clock (ms); the stamp follows it while it runs ahead of the last stamp. */
  readonly wallMs: () => number;
  /** Monotonic ms: how old the relay's cookie is. */
  readonly monotonicMs: () => number;
}

/**
 * Builds handshake initiations (protocol §6.2): a fresh random session id, a
 * stamp above every earlier one, persisted BEFORE the initiation exists, so no
 * initiation can leave the depot with a stamp a power cut could make it reuse.
 * Keeps the relay's last cookie (§6.4) and puts it into mac2 while it is usable.
 */
export class HandshakeInitiator {
  private cookie: { bytes: Uint8Array; receivedAtMs: number } | null = null;

  constructor(private readonly options: InitiatorOptions) {}

  /** A new initiation; every call is a new handshake (new ephemeral key, id and stamp). */
  initiate(): { pending: PendingInitiation; stamp: number } {
    const { backend, staticKeys, relayPublicKey, stamps, wallMs } = this.options;
    const stamp = nextInitiationStamp(stamps.get(), Math.floor(wallMs()));
    stamps.set(stamp);
    const cookie = this.usableCookie();
    const localId = randomSessionId();
    const pending = createInitiation({ backend, staticKeys, relayPublicKey, localId, stamp, cookie });
    return { pending, stamp };
  }

  /** A cookie from a cookie reply that verified: later initiations carry it while it is usable. */
  keepCookie(cookie: Uint8Array): void {
    this.cookie = { bytes: cookie, receivedAtMs: this.options.monotonicMs() };
  }

  private usableCookie(): Uint8Array | undefined {
    if (this.cookie === null) return undefined;
    if (this.options.monotonicMs() - this.cookie.receivedAtMs < COOKIE_USABLE_MS) return this.cookie.bytes;
    this.cookie = null;
    return undefined;
  }
}

/** A random non-zero 32-bit session id (0 is left unused so that it can never mean "none" by accident). */
export function randomSessionId(): number {
  for (;;) {
    const id = readU32(randomBytes(4), 0);
    if (id !== 0) return id;
  }
}
