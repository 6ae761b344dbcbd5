import { type CryptoBackend, randomBytes, utf8 } from '@keydepot/shared';

/**
 * Relay session ids carry an 8-bit keyed check: 24 random bits, then the first
 * byte of BLAKE2b(key, those 24 bits). The key is derived from the relay's
 * static secret, which every relay process of a deployment holds. A transport
 * telegram with an id that fails the check cannot belong to any relay's session
 * and is dropped without a database lookup, so junk with random ids reaches the
 * database at 1/256 of its rate. 2^24 ids leave room for millions of live sessions
 * (a collision only makes the handshake pick another id).
 */
export class SessionIds {
  private readonly key: Uint8Array;

  constructor(
    private readonly backend: CryptoBackend,
    relaySecretKey: Uint8Array,
  ) {
    this.key = backend.blake2b(32, [utf8('keydepot relay session-id check'), relaySecretKey]);
  }

  /** A fresh random id that passes the check. */
  next(): number {
    const random = randomBytes(3);
    return ((random[0] << 24) | (random[1] << 16) | (random[2] << 8) | this.check(random)) >>> 0;
  }

  /** True if `id` could have been made by a relay of this deployment. */
  plausible(id: number): boolean {
    const random = Uint8Array.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff);
    return this.check(random) === (id & 0xff);
  }

  private check(random: Uint8Array): number {
    return this.backend.blake2b(16, [random], this.key)[0];
  }
}
