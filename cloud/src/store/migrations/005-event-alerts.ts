import type { Kysely } from 'kysely';

/**
 * The portal's alerts ask, per depot, compartment and event kind, for the
 * newest event (a tamper, a door left open, a lockout, and the close or end
 * that clears it). With this index each such question is one index seek, so
 * a dashboard over 1,000 depots with a million events stays fast; it also
 * serves the movement list's kind filter.
 */
export const eventAlerts = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('events_depot_kind')
      .on('events')
      .columns(['depot_id', 'kind', 'compartment', 'id'])
      .execute();
  },
};
