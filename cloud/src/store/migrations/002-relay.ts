import { type Kysely, sql } from 'kysely';

/**
 * What the relay needs beyond the core schema:
 * - relay_events: online/offline transitions, for the portal's depot history;
 * - depot_status: the newest STATUS per depot, ordered by (session stamp, counter)
 *   so that a replayed or reordered old STATUS never rolls compartments back;
 * - event_heads: per depot and journal epoch, the sequence up to which every
 *   event is stored (the cumulative ack), derived from the events table;
 * - depot_sessions.stamp: the handshake stamp that opened the session (orders sessions of a depot).
 */
export const relay = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('relay_events')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      // 'online' | 'offline'
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('detail', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('relay_events_depot').on('relay_events').columns(['depot_id', 'at_ms']).execute();

    await db.schema
      .createTable('depot_status')
      .addColumn('depot_id', 'integer', (c) => c.primaryKey().references('depots.id'))
      .addColumn('session_stamp', 'bigint', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('uptime_seconds', 'bigint', (c) => c.notNull())
      .addColumn('last_command_id', 'bigint', (c) => c.notNull())
      .addColumn('outbox_size', 'bigint', (c) => c.notNull())
      .addColumn('lockout_until_ms', 'bigint', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull())
      .addColumn('clock_known', 'integer', (c) => c.notNull())
      .addColumn('firmware_version', 'varchar(32)', (c) => c.notNull())
      // One byte per compartment, as on the wire (protocol §8.6).
      .addColumn('compartments', sql`varbinary(64)`, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('event_heads')
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('journal_epoch', sql`varbinary(8)`, (c) => c.notNull())
      .addColumn('contiguous_through', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_heads_pk', ['depot_id', 'journal_epoch'])
      .execute();

    await db.schema
      .alterTable('depot_sessions')
      .addColumn('stamp', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('depot_sessions_created').on('depot_sessions').column('created_at_ms').execute();
    await db.schema.createIndex('depots_online_seen').on('depots').columns(['online', 'last_seen_ms']).execute();
  },
};
