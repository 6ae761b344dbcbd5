/** The baseline: the libraries' own ChaCha20-Poly1305 call, without our session around it. */
import { createRequire } from 'node:module';
import { type BackendName, randomBytes, TAG_BYTES, TRANSPORT_HEADER_BYTES } from '../../shared/src/index.js';
import { type Bench, bench, sink } from './harness.js';

type Bytes = Uint8Array;

/** The two sodium-native calls of the baseline (the package ships no types): in place, they return a length. */
interface RawSodiumNative {
  crypto_aead_chacha20poly1305_ietf_encrypt(c: Bytes, m: Bytes, ad: Bytes, nsec: null, npub: Bytes, k: Bytes): number;
  crypto_aead_chacha20poly1305_ietf_decrypt(m: Bytes, nsec: null, c: Bytes, ad: Bytes, npub: Bytes, k: Bytes): number;
}

/** The libsodium-wrappers calls of the baseline: they allocate and return the output. */
interface RawSodiumWasm {
  readonly ready: Promise<void>;
  crypto_aead_chacha20poly1305_ietf_encrypt(m: Bytes, ad: Bytes, nsec: null, npub: Bytes, k: Bytes): Bytes;
  crypto_aead_chacha20poly1305_ietf_decrypt(nsec: null, c: Bytes, ad: Bytes, npub: Bytes, k: Bytes): Bytes;
}

/**
 * Both libraries are dependencies of @keydepot/shared, not of the workspace
 * root, so they are resolved from the shared package (the same sodium-native
 * module the backend loads). libsodium-wrappers comes in through require():
 * the CommonJS build is the same libsodium and, unlike the ESM build's named
 * imports, exposes every function on one object after `ready`.
 */
const requireFromShared = createRequire(new URL('../../shared/package.json', import.meta.url));

/** Resolves once the raw library of `name` can be called (libsodium-wrappers compiles its WASM first). */
export async function rawLibraryReady(name: BackendName): Promise<void> {
  if (name === 'libsodium-wrappers') await (requireFromShared('libsodium-wrappers') as RawSodiumWasm).ready;
}

/** The raw library call: same plaintext, a 16-byte associated data like our header, preallocated buffers. */
export function rawBench(name: BackendName, plaintext: Uint8Array): Bench {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const ad = randomBytes(TRANSPORT_HEADER_BYTES);
  if (name === 'sodium-native') {
    const na = requireFromShared('sodium-native') as RawSodiumNative;
    const ciphertext = new Uint8Array(plaintext.length + TAG_BYTES);
    const decrypted = new Uint8Array(plaintext.length);
    na.crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext, plaintext, ad, null, nonce, key);
    na.crypto_aead_chacha20poly1305_ietf_decrypt(decrypted, null, ciphertext, ad, nonce, key);
    if (Buffer.compare(decrypted, plaintext) !== 0) throw new Error('raw sodium-native round trip failed');
    return bench('raw', 'raw AEAD', (n) => {
      for (let i = 0; i < n; i++) {
        na.crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext, plaintext, ad, null, nonce, key);
        // Throws if the tag does not verify.
        sink.value += na.crypto_aead_chacha20poly1305_ietf_decrypt(decrypted, null, ciphertext, ad, nonce, key);
      }
    });
  }
  const sodium = requireFromShared('libsodium-wrappers') as RawSodiumWasm;
  const c = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
  const m = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, c, ad, nonce, key);
  if (Buffer.compare(m, plaintext) !== 0) throw new Error('raw libsodium-wrappers round trip failed');
  return bench('raw', 'raw AEAD', (n) => {
    for (let i = 0; i < n; i++) {
      const ciphertext = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
      // Throws if the tag does not verify.
      sink.value += sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key).length;
    }
  });
}
