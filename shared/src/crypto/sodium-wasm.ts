import type { CryptoBackend } from './backend.js';
import { isAllZero } from './backend.js';

/**
 * The portable backend: libsodium compiled to WebAssembly. Runs wherever Node
 * runs, including 32-bit Raspberry Pi OS, where sodium-native has no binary.
 * (The default import is deliberate: named imports fail at run time.) Imported
 * only when asked for, so a process on sodium-native never loads the WASM.
 */
export async function loadSodiumWasmBackend(): Promise<CryptoBackend> {
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  return {
    name: 'libsodium-wrappers',

    x25519PublicKey(secretKey) {
      return sodium.crypto_scalarmult_base(secretKey);
    },

    x25519(secretKey, publicKey) {
      try {
        const shared = sodium.crypto_scalarmult(secretKey, publicKey);
        return isAllZero(shared) ? null : shared;
      } catch {
        // libsodium refuses low-order points itself.
        return null;
      }
    },

    blake2b(outLength, parts, key) {
      if (parts.length === 1) return sodium.crypto_generichash(outLength, parts[0], key ?? null);
      const state = sodium.crypto_generichash_init(key ?? null, outLength);
      for (const part of parts) sodium.crypto_generichash_update(state, part);
      return sodium.crypto_generichash_final(state, outLength);
    },

    aeadSeal(out, plaintext, ad, nonce, key) {
      out.set(sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key));
    },

    aeadOpen(out, ciphertext, ad, nonce, key) {
      let plaintext: Uint8Array;
      try {
        plaintext = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
      } catch {
        return false;
      }
      out.set(plaintext);
      return true;
    },

    xaeadSeal(out, plaintext, ad, nonce, key) {
      out.set(sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key));
    },

    xaeadOpen(out, ciphertext, ad, nonce, key) {
      let plaintext: Uint8Array;
      try {
        plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
      } catch {
        return false;
      }
      out.set(plaintext);
      return true;
    },
  };
}
