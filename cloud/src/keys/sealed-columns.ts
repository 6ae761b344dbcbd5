import { type Kysely, sql } from 'kysely';
import { digitsPlace } from '../store/portal/pins.js';
import { toNumber } from '../store/row-values.js';
import type { Schema } from '../store/schema.js';
import { totpSecretPlace } from '../store/second-factor/totp.js';
import type { DataSealer } from './data-key.js';

/** One column of sealed values: where it is, and the place (associated data) each row's value was sealed for. */
export interface SealedColumn {
  readonly table: keyof Schema & string;
  readonly column: string;
  /** The whole-number primary key the place is built from. */
  readonly idColumn: string;
  readonly place: (id: number) => string;
}

/** Every sealed column in the store: what `data-key rotate` re-seals and `retire` checks. One line per column. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'pins', column: 'digits_sealed', idColumn: 'id', place: digitsPlace },
  { table: 'totp_factors', column: 'secret_sealed', idColumn: 'user_id', place: totpSecretPlace },
];

export const columnName = (c: SealedColumn) => `${c.table}.${c.column}`;

/** How many values of one column are sealed under one key id (0: a value too short to have one). */
export interface KeyUse {
  readonly column: string;
  readonly keyId: number;
  readonly values: number;
}

/**
 * Which key ids the sealed values use, read from each value's first byte
 * (hex(substr(…, 1, 1)): bytes on both engines). A full scan of each column,
 * which is what deciding that a key may go needs.
 */
export async function keyUses(
  db: Kysely<Schema>,
  columns: readonly SealedColumn[] = SEALED_COLUMNS,
): Promise<KeyUse[]> {
  const uses: KeyUse[] = [];
  for (const c of columns) {
    const value = sql.ref(c.column);
    const { rows } = await sql<{ key_hex: string; n: number | string | bigint }>`
      SELECT hex(substr(${value}, 1, 1)) AS key_hex, count(*) AS n
      FROM ${sql.table(c.table)} WHERE ${value} IS NOT NULL GROUP BY key_hex`.execute(db);
    for (const row of rows) {
      uses.push({ column: columnName(c), keyId: Number.parseInt(row.key_hex || '0', 16), values: toNumber(row.n) });
    }
  }
  return uses.sort((a, b) => a.column.localeCompare(b.column) || a.keyId - b.keyId);
}

export interface ResealOptions {
  /** Rows per transaction. */
  readonly batchSize: number;
  /** Called after each committed batch (progress; tests stop a run here). */
  readonly afterBatch?: (progress: { column: string; resealed: number }) => void | Promise<void>;
}

/**
 * Re-seals every value of the column that is not under the sealer's current
 * key (`currentKeyId`), in id order, one transaction per batch. Idempotent: a
 * value already under the current key is not selected, so a run stopped
 * anywhere is finished by running it again. Each update names the old bytes,
 * so a value the portal rewrote meanwhile is left as the portal wrote it.
 * Returns how many values were re-sealed.
 */
export async function resealColumn(
  db: Kysely<Schema>,
  sealer: DataSealer,
  currentKeyId: number,
  c: SealedColumn,
  options: ResealOptions,
): Promise<number> {
  const value = sql.ref(c.column);
  const id = sql.ref(c.idColumn);
  const currentHex = currentKeyId.toString(16).toUpperCase().padStart(2, '0');
  let after = 0;
  let resealed = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ row_id: number | string | bigint; sealed: Uint8Array }>`
        SELECT ${id} AS row_id, ${value} AS sealed FROM ${sql.table(c.table)}
        WHERE ${value} IS NOT NULL AND ${id} > ${after} AND hex(substr(${value}, 1, 1)) <> ${currentHex}
        ORDER BY ${id} LIMIT ${options.batchSize}`.execute(trx);
      let changed = 0;
      for (const row of rows) {
        const rowId = toNumber(row.row_id);
        const old = Buffer.from(row.sealed);
        const place = c.place(rowId);
        const fresh = Buffer.from(sealer.seal(sealer.open(old, place), place));
        const result = await sql`UPDATE ${sql.table(c.table)} SET ${value} = ${fresh}
          WHERE ${id} = ${rowId} AND ${value} = ${old}`.execute(trx);
        changed += Number(result.numAffectedRows ?? 0n);
      }
      return { last: rows.length > 0 ? toNumber((rows.at(-1) as (typeof rows)[number]).row_id) : after, changed };
    });
    if (batch.last === after) return resealed;
    after = batch.last;
    resealed += batch.changed;
    await options.afterBatch?.({ column: columnName(c), resealed });
  }
}
