import type { Kysely } from 'kysely';

/**
 * Which commands carry a PIN to its depot and take it back. The portal shows
 * a PIN's state from them at read time (queued until its PIN_ADD is applied,
 * and so on: store/portal/pins.ts), so the relay's hot path needs no hook.
 */
export const pinCommands = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('pins').addColumn('command_id', 'bigint').execute();
    await db.schema.alterTable('pins').addColumn('revoke_command_id', 'bigint').execute();
  },
};
