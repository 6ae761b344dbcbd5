import { randomBytes } from 'node:crypto';
import { loadSodiumNative } from '@keydepot/shared';
import { createDataKeysIfMissing, dataKeyFileStamp, readDataKeys } from './data-key-file.js';

const NONCE_BYTES = 24;
const TAG_BYTES = 16;

/** A sealed value could not be opened: wrong key, wrong place (associated data) or altered. */
export class SealedValueError extends Error {
  override name = 'SealedValueError';
}

/** A sealed value names a key id the key file does not hold (a key file older than the value, or a wrong one). */
export class UnknownDataKeyError extends SealedValueError {
  override name = 'UnknownDataKeyError';
  constructor(
    readonly keyId: number,
    readonly place: string,
  ) {
    super(`the value at ${place} is sealed with data key ${keyId}, which the data key file does not hold`);
  }
}

/**
 * Secrets at rest (docs/design.md, Sealing data at rest): XChaCha20-Poly1305 with a random 24-byte nonce,
 * the value's place (table, column, row) as associated data so a sealed value
 * copied into another row does not open, and a key id byte in front so keys
 * can rotate. Layout: key id (1) ‖ nonce (24) ‖ ciphertext ‖ tag (16).
 */
export interface DataSealer {
  seal(plaintext: string, place: string): Uint8Array;
  open(sealed: Uint8Array, place: string): string;
}

export function createDataSealer(keys: ReadonlyMap<number, Uint8Array>, currentKeyId: number): DataSealer {
  const na = loadSodiumNative();
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
      if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES) throw new SealedValueError(`the value at ${place} is too short`);
      if (!key) throw new UnknownDataKeyError(sealed[0] ?? 0, place);
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
 * The data keys from their own file (`<dataDir>/data.key`, created on first
 * use with one key, mode 0400), never in the database: a stolen database dump
 * then holds no readable PIN. The sealer follows the file: `data-key rotate`
 * rewrites it while the portal runs, and the next seal uses the new current
 * key, the next open of a value under an unknown id looks again. A file that
 * vanished or went bad fails the seal rather than seal with a key that is not
 * on disk.
 */
export async function loadDataSealer(file: string): Promise<DataSealer> {
  await createDataKeysIfMissing(file);
  let stamp: string | undefined;
  let sealer: DataSealer | undefined;
  const fresh = (): DataSealer => {
    const now = dataKeyFileStamp(file);
    if (sealer === undefined || now !== stamp) {
      const ring = readDataKeys(file);
      sealer = createDataSealer(ring.keys, ring.currentId);
      stamp = now;
    }
    return sealer;
  };
  fresh();
  return {
    seal: (plaintext, place) => fresh().seal(plaintext, place),
    open(sealed, place) {
      try {
        return (sealer ?? fresh()).open(sealed, place);
      } catch (error) {
        if (!(error instanceof UnknownDataKeyError)) throw error;
        return fresh().open(sealed, place);
      }
    },
  };
}
