import { type Kysely, sql } from 'kysely';
import { num, type RelaySchema } from '../store/relay/relay-schema.js';

/**
 * Reserves `count` send counters of a session inside a running transaction:
 * [start, end). The UPDATE takes the row lock (MariaDB) or the write lock
 * (SQLite), so concurrent relays get disjoint blocks. The block may be used
 * only after the transaction committed.
 */
export async function reserveCountersIn(
  trx: Kysely<RelaySchema>,
  sessionId: number,
  count: number,
): Promise<{ start: number; end: number } | undefined> {
  const updated = await trx
    .updateTable('depot_sessions')
    .set({ send_counter_reserved: sql`send_counter_reserved + ${count}` })
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  if (num(updated.numUpdatedRows) !== 1) return undefined;
  const row = await trx
    .selectFrom('depot_sessions')
    .select('send_counter_reserved')
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const end = num(row.send_counter_reserved);
  return { start: end - count, end };
}
