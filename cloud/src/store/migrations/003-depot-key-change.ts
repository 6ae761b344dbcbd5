import type { Kysely } from 'kysely';

/**
 * When a depot last got a new key (`depot rekey`). Every relay process polls it
 * like `revoked_at_ms` and forgets the depot's cached sessions, so a copied old
 * key stops working within one poll, not only when its session expires.
 */
export const depotKeyChange = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('depots').addColumn('key_changed_at_ms', 'bigint').execute();
  },
};
