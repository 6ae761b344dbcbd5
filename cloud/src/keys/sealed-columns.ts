import { type Kysely, sql } from 'kysely';
import { customerPlace, PERSONAL_FIELDS, sealedColumn } from '../store/customers/customer-fields.js';
import { recipientPlace } from '../store/invoices/invoice-actions.js';
import { messagePlace } from '../store/mail/mail-outbox.js';
import { secretPlace } from '../store/payments/payment-settings.js';
import { digitsPlace } from '../store/portal/pins.js';
import { commandSecretPlace } from '../store/relay/command-secrets.js';
import { sessionKeysPlace } from '../store/relay/sessions.js';
import { toNumber } from '../store/row-values.js';
import type { Schema } from '../store/schema.js';
import { totpSecretPlace } from '../store/second-factor/totp.js';
import type { DataSealer } from './data-key.js';

/** One column of sealed values: where it is, and the place (associated data) each row's value was sealed for. */
export interface SealedColumn {
  readonly table: keyof Schema & string;
  readonly column: string;
  /** The whole-number primary key (one column or several, in key order) the place is built from. */
  readonly idColumns: readonly string[];
  readonly place: (ids: readonly number[]) => string;
}

/** Every sealed column in the store: what `data-key rotate` re-seals and `retire` checks. One line per column. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'pins', column: 'digits_sealed', idColumns: ['id'], place: ([id]) => digitsPlace(id as number) },
  {
    table: 'commands',
    column: 'secret_sealed',
    idColumns: ['depot_id', 'id'],
    place: ([depotId, id]) => commandSecretPlace(depotId as number, id as number),
  },
  {
    table: 'depot_sessions',
    column: 'keys_sealed',
    idColumns: ['session_id'],
    place: ([id]) => sessionKeysPlace(id as number),
  },
  // A customer's personal fields (migration 012), one column each, and each issued invoice's recipient.
  ...PERSONAL_FIELDS.map((field) => ({
    table: 'customers' as const,
    column: sealedColumn(field),
    idColumns: ['id'],
    place: ([id]: readonly unknown[]) => customerPlace(field)(id as number),
  })),
  { table: 'invoices', column: 'recipient_sealed', idColumns: ['id'], place: ([id]) => recipientPlace(id as number) },
  {
    table: 'payment_settings',
    column: 'secret_sealed',
    idColumns: ['organisation_id'],
    place: ([id]) => secretPlace(id as number),
  },
  { table: 'mail_outbox', column: 'message_sealed', idColumns: ['id'], place: ([id]) => messagePlace(id as number) },
  {
    table: 'totp_factors',
    column: 'secret_sealed',
    idColumns: ['user_id'],
    place: ([id]) => totpSecretPlace(id as number),
  },
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
      FROM ${sql.table(c.table)} WHERE ${value} IS NOT NULL AND length(${value}) > 0 GROUP BY key_hex`.execute(db);
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
 * key (`currentKeyId`), in key order, one transaction per batch. Idempotent: a
 * value already under the current key is not selected, so a run stopped
 * anywhere is finished by running it again. Each update names the old bytes,
 * so a value rewritten meanwhile is left as it was written.
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
  const ids = sql.join(c.idColumns.map((name) => sql.ref(name)));
  const keyOf = (row: Record<string, unknown>) => c.idColumns.map((_, i) => toNumber(row[`k${i}`] as number));
  const selectKeys = sql.join(c.idColumns.map((name, i) => sql`${sql.ref(name)} AS ${sql.ref(`k${i}`)}`));
  const currentHex = currentKeyId.toString(16).toUpperCase().padStart(2, '0');
  let after: number[] | undefined;
  let resealed = 0;
  for (;;) {
    // Row values compare in key order on both engines: (a, b) > (x, y).
    const past = after === undefined ? sql`1 = 1` : sql`(${ids}) > (${sql.join(after)})`;
    const batch = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<Record<string, unknown> & { sealed: Uint8Array }>`
        SELECT ${selectKeys}, ${value} AS sealed FROM ${sql.table(c.table)}
        WHERE ${value} IS NOT NULL AND length(${value}) > 0 AND ${past}
          AND hex(substr(${value}, 1, 1)) <> ${currentHex}
        ORDER BY ${ids} LIMIT ${options.batchSize}`.execute(trx);
      let changed = 0;
      for (const row of rows) {
        const key = keyOf(row);
        const old = Buffer.from(row.sealed);
        const place = c.place(key);
        const fresh = Buffer.from(sealer.seal(sealer.open(old, place), place));
        const match = sql.join(
          c.idColumns.map((name, i) => sql`${sql.ref(name)} = ${key[i]}`),
          sql` AND `,
        );
        const result = await sql`UPDATE ${sql.table(c.table)} SET ${value} = ${fresh}
          WHERE ${match} AND ${value} = ${old}`.execute(trx);
        changed += Number(result.numAffectedRows ?? 0n);
      }
      const last = rows.at(-1);
      return { last: last === undefined ? undefined : keyOf(last), changed };
    });
    if (batch.last === undefined) return resealed;
    after = batch.last;
    resealed += batch.changed;
    await options.afterBatch?.({ column: columnName(c), resealed });
  }
}
