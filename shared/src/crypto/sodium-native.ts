import { createRequire } from 'node:module';
import type { CryptoBackend } from './backend.js';
import { isAllZero } from './backend.js';

/** libsodium's combined-mode AEAD encrypt: ciphertext ‖ tag into c (nsec is unused and must be null). */
type AeadEncrypt = (
  c: Uint8Array,
  m: Uint8Array,
  ad: Uint8Array | null,
  nsec: null,
  npub: Uint8Array,
  k: Uint8Array,
) => number;

/** libsodium's combined-mode AEAD decrypt into m; sodium-native throws on a bad tag. */
type AeadDecrypt = (
  m: Uint8Array,
  nsec: null,
  c: Uint8Array,
  ad: Uint8Array | null,
  npub: Uint8Array,
  k: Uint8Array,
) => number;

/**
 * The subset of sodium-native we call (the package ships no types): the
 * relay's primitives, and XChaCha20-Poly1305 for the cloud's secrets at rest,
 * whose random 24-byte nonces never repeat by chance.
 */
export interface SodiumNative {
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_generichash(out: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_generichash_batch(out: Uint8Array, batch: readonly Uint8Array[], key?: Uint8Array): void;
  crypto_aead_chacha20poly1305_ietf_encrypt: AeadEncrypt;
  crypto_aead_chacha20poly1305_ietf_decrypt: AeadDecrypt;
  crypto_aead_xchacha20poly1305_ietf_encrypt: AeadEncrypt;
  crypto_aead_xchacha20poly1305_ietf_decrypt: AeadDecrypt;
}

/** sodium-native itself, loaded on first call: it is an optional dependency with no 32-bit ARM binary, so this throws there. */
export function loadSodiumNative(): SodiumNative {
  return createRequire(import.meta.url)('sodium-native') as SodiumNative;
}

/**
 * The fast backend: libsodium as a native addon (several times the WASM
 * build's speed). For the relay; it has no binary for 32-bit ARM, so depots use
 * the WASM backend. Loaded lazily because it is an optional dependency.
 */
export async function loadSodiumNativeBackend(): Promise<CryptoBackend> {
  const na = loadSodiumNative();
  return {
    name: 'sodium-native',

    x25519PublicKey(secretKey) {
      const publicKey = new Uint8Array(32);
      na.crypto_scalarmult_base(publicKey, secretKey);
      return publicKey;
    },

    x25519(secretKey, publicKey) {
      const shared = new Uint8Array(32);
      try {
        na.crypto_scalarmult(shared, secretKey, publicKey);
      } catch {
        return null;
      }
      return isAllZero(shared) ? null : shared;
    },

    blake2b(outLength, parts, key) {
      const out = new Uint8Array(outLength);
      if (parts.length === 1) na.crypto_generichash(out, parts[0], key);
      else na.crypto_generichash_batch(out, parts, key);
      return out;
    },

    aeadSeal(out, plaintext, ad, nonce, key) {
      na.crypto_aead_chacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonce, key);
    },

    aeadOpen(out, ciphertext, ad, nonce, key) {
      return openQuietly(na.crypto_aead_chacha20poly1305_ietf_decrypt, out, ciphertext, ad, nonce, key);
    },

    xaeadSeal(out, plaintext, ad, nonce, key) {
      na.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonce, key);
    },

    xaeadOpen(out, ciphertext, ad, nonce, key) {
      return openQuietly(na.crypto_aead_xchacha20poly1305_ietf_decrypt, out, ciphertext, ad, nonce, key);
    },
  };
}

/**
 * sodium-native throws on a bad tag. Capturing a stack trace for that error
 * would make a forged telegram cost the relay 3x a genuine one.
 */
function openQuietly(
  decrypt: AeadDecrypt,
  out: Uint8Array,
  ciphertext: Uint8Array,
  ad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    decrypt(out, null, ciphertext, ad, nonce, key);
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
