import type { Kysely } from 'kysely';
import type { Schema } from '../store/schema.js';
import { createDataSealer, SealedValueError } from './data-key.js';
import { type DataKeyring, readDataKeys, withNewKey, writeDataKeys } from './data-key-file.js';
import {
  columnName,
  type KeyUse,
  keyUses,
  type ResealOptions,
  resealColumn,
  SEALED_COLUMNS,
  type SealedColumn,
} from './sealed-columns.js';

/*
 * Data key rotation (docs/design.md, Sealing data at rest). The order is what makes it safe to stop at
 * any point: the new key is on disk (fsynced) before the first value is sealed
 * with it, each batch of re-sealed values commits on its own, and a run that
 * finds values under an older key of the file finishes that rotation instead
 * of starting another. Retiring a key removes it from the file only after a
 * scan of every sealed column found no value under it.
 */

/** Sealed values name a key id that the key file does not hold: nothing was changed. */
class MissingDataKeyError extends SealedValueError {
  override name = 'MissingDataKeyError';
  constructor(
    readonly file: string,
    readonly uses: readonly KeyUse[],
  ) {
    const what = uses.map((u) => `${u.values} in ${u.column} under key ${u.keyId}`).join(', ');
    super(
      `sealed values use data keys that ${file} does not hold (${what}); ` +
        'restore the key file backup that has them (or check KEYDEPOT_DATA_KEY_FILE)',
    );
  }
}

export interface RotationOptions extends ResealOptions {
  readonly db: Kysely<Schema>;
  readonly file: string;
  readonly columns?: readonly SealedColumn[];
}

export interface RotationResult {
  readonly before: DataKeyring;
  readonly after: DataKeyring;
  /** An earlier run had already written the current key: this run finished its re-seal, no new key. */
  readonly resumed: boolean;
  /** Values re-sealed, per column ('pins.digits_sealed'). */
  readonly resealed: ReadonlyMap<string, number>;
  /** Values still under a key other than the current one after the run (a seal racing the run). */
  readonly olderUses: readonly KeyUse[];
}

/** Adds a key and makes it current (or resumes an unfinished rotation), then re-seals every value under it. */
export async function rotateDataKey(options: RotationOptions): Promise<RotationResult> {
  const { db, file, columns = SEALED_COLUMNS } = options;
  const before = readDataKeys(file);
  const uses = await checkedUses(db, file, before, columns);
  const resumed = uses.some((u) => u.keyId !== before.currentId);
  if (!resumed) await writeDataKeys(file, withNewKey(before));
  // Seal only with what the file holds now, read back from disk.
  const after = readDataKeys(file);
  const sealer = createDataSealer(after.keys, after.currentId);
  const resealed = new Map<string, number>();
  for (const column of columns) {
    resealed.set(columnName(column), await resealColumn(db, sealer, after.currentId, column, options));
  }
  const olderUses = (await keyUses(db, columns)).filter((u) => u.keyId !== after.currentId);
  return { before, after, resumed, resealed, olderUses };
}

export interface RetireResult {
  readonly before: DataKeyring;
  readonly after: DataKeyring;
  readonly removed: readonly number[];
  /** Older keys kept because values still use them. */
  readonly kept: readonly KeyUse[];
}

/** Removes from the file every key other than the current one that no sealed value uses. */
export async function retireDataKeys(options: {
  db: Kysely<Schema>;
  file: string;
  columns?: readonly SealedColumn[];
}): Promise<RetireResult> {
  const { db, file, columns = SEALED_COLUMNS } = options;
  const before = readDataKeys(file);
  const uses = await checkedUses(db, file, before, columns);
  const used = new Set(uses.map((u) => u.keyId));
  const removed = [...before.keys.keys()]
    .filter((id) => id !== before.currentId && !used.has(id))
    .sort((a, b) => a - b);
  if (removed.length === 0) {
    return { before, after: before, removed, kept: uses.filter((u) => u.keyId !== before.currentId) };
  }
  const keys = new Map([...before.keys].filter(([id]) => !removed.includes(id)));
  await writeDataKeys(file, { keys, currentId: before.currentId });
  const after = readDataKeys(file);
  return { before, after, removed, kept: uses.filter((u) => u.keyId !== after.currentId) };
}

/** Key ids in the file, in order. */
export const keyIdsOf = (ring: DataKeyring) => [...ring.keys.keys()].sort((a, b) => a - b);

async function checkedUses(
  db: Kysely<Schema>,
  file: string,
  ring: DataKeyring,
  columns: readonly SealedColumn[],
): Promise<KeyUse[]> {
  const uses = await keyUses(db, columns);
  const missing = uses.filter((u) => !ring.keys.has(u.keyId));
  if (missing.length > 0) throw new MissingDataKeyError(file, missing);
  return uses;
}
