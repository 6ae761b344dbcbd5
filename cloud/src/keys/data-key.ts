import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadSecretKeyFile } from './secret-key-file.js';

/** The part of sodium-native this module calls (the package ships no types). */
interface SodiumXChaCha {
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    nsec: null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
  crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Uint8Array,
    nsec: null,
    c: Uint8Array,
    ad: Uint8Array | null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
}

const NONCE_BYTES = 24;
const TAG_BYTES = 16;

/** A sealed value could not be opened: wrong key, wrong place (associated data) or altered. */
export class SealedValueError extends Error {
  override name = 'SealedValueError';
}

/**
 * Secrets at rest (DESIGN §4): XChaCha20-Poly1305 with a random 24-byte nonce,
 * the value's place (table, column, row) as associated data so a sealed value
 * copied into another row does not open, and a key id byte in front so keys
 * can rotate. Layout: key id (1) ‖ nonce (24) ‖ ciphertext ‖ tag (16).
 */
export interface DataSealer {
  seal(plaintext: string, place: string): Uint8Array;
  open(sealed: Uint8Array, place: string): string;
}

export function createDataSealer(keys: ReadonlyMap<number, Uint8Array>, currentKeyId: number): DataSealer {
  const na = createRequire(import.meta.url)('sodium-native') as SodiumXChaCha;
  const current = keys.get(currentKeyId);
  if (current?.length !== 32) throw new RangeError(`no 32-byte data key with id ${currentKeyId}`);
  return {
    seal(plaintext, place) {
      const message = Buffer.from(plaintext, 'utf8');
      const out = new Uint8Array(1 + NONCE_BYTES + message.length + TAG_BYTES);
      out[0] = currentKeyId;
      const nonce = out.subarray(1, 1 + NONCE_BYTES);
      nonce.set(randomBytes(NONCE_BYTES));
      na.crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.subarray(1 + NONCE_BYTES),
        message,
        Buffer.from(place),
        null,
        nonce,
        current,
      );
      return out;
    },
    open(sealed, place) {
      const key = keys.get(sealed[0] ?? -1);
      if (!key || sealed.length < 1 + NONCE_BYTES + TAG_BYTES)
        throw new SealedValueError('no key for this sealed value');
      const ciphertext = sealed.subarray(1 + NONCE_BYTES);
      const out = Buffer.alloc(ciphertext.length - TAG_BYTES);
      try {
        na.crypto_aead_xchacha20poly1305_ietf_decrypt(
          out,
          null,
          ciphertext,
          Buffer.from(place),
          sealed.subarray(1, 1 + NONCE_BYTES),
          key,
        );
      } catch {
        throw new SealedValueError(`a sealed value for ${place} did not open`);
      }
      return out.toString('utf8');
    },
  };
}

/**
 * The data key from its own file (`<dataDir>/data.key`, created on first use,
 * owner-only), never in the database: a stolen database dump then holds no
 * readable PIN. Key id 1; a rotation adds ids.
 */
export async function loadDataSealer(file: string): Promise<DataSealer> {
  const { key } = await loadSecretKeyFile({
    file,
    label: 'data key',
    createIfMissing: true,
    generate: () => new Uint8Array(randomBytes(32)),
  });
  return createDataSealer(new Map([[1, key]]), 1);
}
