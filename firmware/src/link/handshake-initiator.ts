import {
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
}

/**
 * Builds handshake initiations (protocol §6.2): a fresh random session id, a
 * stamp above every earlier one, persisted BEFORE the initiation exists, so no
 * initiation can leave the depot with a stamp a power cut could make it reuse.
 */
export class HandshakeInitiator {
  constructor(private readonly options: InitiatorOptions) {}

  /** A new initiation; every call is a new handshake (new ephemeral key, id and stamp). */
  initiate(): { pending: PendingInitiation; stamp: number } {
    const { backend, staticKeys, relayPublicKey, stamps, wallMs } = this.options;
    const stamp = nextInitiationStamp(stamps.get(), Math.floor(wallMs()));
    stamps.set(stamp);
    const pending = createInitiation({ backend, staticKeys, relayPublicKey, localId: randomSessionId(), stamp });
    return { pending, stamp };
  }
}

/** A random non-zero 32-bit session id (0 is left unused so that it can never mean "none" by accident). */
export function randomSessionId(): number {
  for (;;) {
    const id = readU32(randomBytes(4), 0);
    if (id !== 0) return id;
  }
}
