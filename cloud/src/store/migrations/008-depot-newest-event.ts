import { type Kysely, sql } from 'kysely';

/**
 * Each depot's newest event arrival (received_at_ms), kept on the depot row
 * by whatever stores events (the relay's batch, `insertEvents`). The
 * dashboard's "newest movements" across a user's depots starts from it: with
 * 1,000 depots, one index lookup per depot for its newest event was 4 ms on
 * SQLite and 21 ms on MariaDB of every dashboard view (bench:portal); the
 * column costs one UPDATE per depot in a batch that stores events, none on a
 * bare check-in.
 */
export const depotNewestEvent = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('depots').addColumn('last_event_ms', 'bigint').execute();
    await backfillNewestEvent(db);
  },
};

/** Sets every depot's newest arrival from its stored events (the migration; bulk loads that bypass the relay). */
export async function backfillNewestEvent<DB>(db: Kysely<DB>): Promise<void> {
  // ORDER BY … LIMIT 1 on (depot_id, received_at_ms): MariaDB answers max() by scanning the depot's entries.
  await sql`UPDATE depots SET last_event_ms = (
    SELECT e.received_at_ms FROM events e WHERE e.depot_id = depots.id ORDER BY e.received_at_ms DESC LIMIT 1)`.execute(
    db,
  );
}
