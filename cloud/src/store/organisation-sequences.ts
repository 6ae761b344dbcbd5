import { type Kysely, sql } from 'kysely';
import { toNumber } from './row-values.js';
import type { Schema } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/**
 * The next value of one of an organisation's sequences (customer numbers,
 * invoice numbers per year). Call it inside the transaction that uses the
 * value: the UPDATE locks the sequence's row until that transaction ends
 * (InnoDB row lock; SQLite's writer lock), so two issues never draw the same
 * number, and a rollback takes the increment back with it, so the sequence
 * has no gaps. The row is created outside the transaction on first use: a
 * duplicate insert by a concurrent first use is harmless.
 */
export async function nextSequenceValue(trx: Kysely<Schema>, organisationId: number, name: string): Promise<number> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const raised = await trx
      .updateTable('organisation_sequences')
      .set({ last_value: sql`last_value + 1` })
      .where('organisation_id', '=', organisationId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(raised.numUpdatedRows) === 1) {
      const row = await trx
        .selectFrom('organisation_sequences')
        .select('last_value')
        .where('organisation_id', '=', organisationId)
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return toNumber(row.last_value);
    }
    try {
      await trx
        .insertInto('organisation_sequences')
        .values({ organisation_id: organisationId, name, last_value: 0 })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(`sequence ${name} of organisation ${organisationId} could not be raised`);
}

/** Creates the sequence row if missing, outside any transaction (see nextSequenceValue). */
export async function ensureSequence(db: Kysely<Schema>, organisationId: number, name: string): Promise<void> {
  const exists = await db
    .selectFrom('organisation_sequences')
    .select('last_value')
    .where('organisation_id', '=', organisationId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (exists) return;
  try {
    await db
      .insertInto('organisation_sequences')
      .values({ organisation_id: organisationId, name, last_value: 0 })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
