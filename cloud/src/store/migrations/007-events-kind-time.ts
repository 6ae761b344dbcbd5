import type { Kysely } from 'kysely';

/**
 * A depot's events of given kinds in a time range, read from the index alone:
 * the depot page's 30-day withdrawal chart (KEY_REMOVED and PIN_ACCEPTED per
 * quarter hour) and the movement list filtered by kind, newest first (the row
 * id follows depot_time_ms in the index on both engines, so the keyset order
 * needs no sort). On (depot_id, depot_time_ms) both read every event of the
 * range and fetch each row for its kind: with a million events the busiest
 * depot's chart took 65 ms on MariaDB, the filtered list 20-35 ms; with this
 * index 2 ms each (bench:portal, docs/benchmarks.md).
 */
export const eventsKindTime = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('events_depot_kind_time')
      .on('events')
      .columns(['depot_id', 'kind', 'depot_time_ms'])
      .execute();
  },
};
