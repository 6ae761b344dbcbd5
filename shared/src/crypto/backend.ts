/**
 * The crypto primitives the protocol needs, behind one small interface, so the
 * relay can use sodium-native on its hot path and the depot the portable WASM
 * build of libsodium. Both implementations must pass the same tests.
 */

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface CryptoBackend {
  readonly name: 'sodium-native' | 'libsodium-wrappers';

  /** X25519 public key of a 32-byte secret. */
  x25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /** X25519 shared secret; null when the peer's point gives an all-zero result (low order). */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | null;

  /** BLAKE2b over the concatenation of parts, outLength bytes (16..64), optionally keyed. */
  blake2b(outLength: number, parts: readonly Uint8Array[], key?: Uint8Array): Uint8Array;

  /**
   * ChaCha20-Poly1305 (IETF, 96-bit nonce). Writes plaintext.length + 16 bytes
   * of ciphertext and tag into `out`, which may be a view into a larger
   * datagram buffer (so a telegram is sealed without copies).
   */
  aeadSeal(out: Uint8Array, plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  /** The inverse: writes ciphertext.length - 16 bytes into `out`; false when the tag does not verify. */
  aeadOpen(out: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;

  /**
   * XChaCha20-Poly1305 (IETF, 192-bit nonce), for the handshake's cookie reply,
   * whose nonce is random: 24 bytes never repeat by chance. Same shape as aeadSeal.
   */
  xaeadSeal(out: Uint8Array, plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  /** The inverse of xaeadSeal; false when the tag does not verify. */
  xaeadOpen(out: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
}

/** True when all bytes are zero, in time independent of where a non-zero byte is. */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i];
  return acc === 0;
}
