import { createHmac, randomBytes } from 'node:crypto';
import { loadSecretKeyFile } from './secret-key-file.js';

/*
 * Search over sealed personal data without opening it: a keyed blind index.
 * Each searchable value (an e-mail, a phone number, a plate, a word of a
 * name) is normalised and stored only as HMAC-SHA256 under a key of the
 * organisation, truncated to 16 bytes. The organisation's key is derived from
 * one index key kept in its own file beside the data keys
 * (`<dataDir>/index.key`, mode 0600, never in the database), so the same
 * e-mail gives unrelated index values in two organisations and a copy of the
 * database alone cannot confirm a guessed e-mail. The index key is not a data
 * key: `data-key rotate` does not touch it. Losing it breaks search by these
 * terms (customer numbers still work), not the data: back it up with the
 * data keys (docs/operations.md, "Key files").
 */

/** Bytes of an index value: 128 bits keep collisions out of any realistic table. */
export const BLIND_INDEX_BYTES = 16;

/** What a searchable value is; part of the MAC input, so an e-mail never matches a word. */
export type IndexKind = 'email' | 'phone' | 'plate' | 'word';

export interface BlindIndex {
  /** The index value of an already normalised term in one organisation. */
  token(organisationId: number, kind: IndexKind, normalised: string): Uint8Array;
}

/** The organisation's own index key: HMAC(index key, label ‖ organisation id). */
export function organisationIndexKey(indexKey: Uint8Array, organisationId: number): Buffer {
  const id = Buffer.alloc(8);
  id.writeBigUInt64BE(BigInt(organisationId));
  return createHmac('sha256', indexKey).update('keydepot blind index v1\0').update(id).digest();
}

export function createBlindIndex(indexKey: Uint8Array): BlindIndex {
  if (indexKey.length !== 32) throw new RangeError('the index key must be 32 bytes');
  const keys = new Map<number, Buffer>();
  return {
    token(organisationId, kind, normalised) {
      let key = keys.get(organisationId);
      if (!key) {
        key = organisationIndexKey(indexKey, organisationId);
        keys.set(organisationId, key);
      }
      const mac = createHmac('sha256', key).update(`${kind}\0${normalised}`, 'utf8').digest();
      return new Uint8Array(mac.subarray(0, BLIND_INDEX_BYTES));
    },
  };
}

/** The index key from its file, created on first use (KEYDEPOT_INDEX_KEY_FILE, default `<dataDir>/index.key`). */
export async function loadBlindIndex(file: string): Promise<BlindIndex> {
  const { key } = await loadSecretKeyFile({
    file,
    label: 'blind index key',
    createIfMissing: true,
    generate: () => new Uint8Array(randomBytes(32)),
  });
  return createBlindIndex(key);
}
