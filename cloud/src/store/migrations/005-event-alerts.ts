import type { Kysely } from 'kysely';

/**
 * The portal's open alerts read the recent events of the rare alert kinds
 * (tamper, door left open, lockout) and of the kinds that end them, across all
 * of a user's depots. With this index each is one short range read that never
 * touches the table (depot and compartment are in the index, the id is its
 * row key on both engines), however many events the store holds.
 */
export const eventAlerts = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('events_kind_received')
      .on('events')
      .columns(['kind', 'received_at_ms', 'depot_id', 'compartment'])
      .execute();
  },
};
