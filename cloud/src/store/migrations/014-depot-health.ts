import type { Kysely } from 'kysely';

/**
 * depot_status.health: the STATUS health flags (protocol §8.6) the portal
 * turns into alerts: 1 = the depot's disk is full, 2 = its keypad board does
 * not answer. 0 (healthy) for every row a STATUS wrote before.
 */
export const depotHealth = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('depot_status')
      .addColumn('health', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
