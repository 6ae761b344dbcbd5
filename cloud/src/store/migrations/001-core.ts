import { type Kysely, sql } from 'kysely';

// Types chosen to mean the same on SQLite and MariaDB: BIGINT milliseconds for
// every time (UTC, like the wire), INTEGER 0/1 for flags, VARBINARY for keys.
const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;

export const core = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('organisations')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('username', 'varchar(100)', (c) => c.notNull().unique())
      .addColumn('display_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('password_hash', 'varchar(255)')
      .addColumn('is_operator', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('language', 'varchar(8)', (c) => c.notNull().defaultTo('de'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at_ms', 'bigint')
      .execute();

    await db.schema
      .createTable('organisation_members')
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('organisation_members_pk', ['organisation_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('depots')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('address', 'varchar(500)', (c) => c.notNull().defaultTo(''))
      .addColumn('public_key', binary(32), (c) => c.notNull().unique())
      // Derivation id of the depot's offline key (shared deriveOfflineKey); rotates only by re-provisioning.
      .addColumn('offline_key_id', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('compartment_count', 'integer', (c) => c.notNull())
      .addColumn('time_zone', 'varchar(64)', (c) => c.notNull().defaultTo('Europe/Berlin'))
      .addColumn('language', 'varchar(8)', (c) => c.notNull().defaultTo('de'))
      .addColumn('firmware_version', 'varchar(32)')
      .addColumn('last_seen_ms', 'bigint')
      .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
      // Highest accepted handshake stamp (protocol §6.1), raised atomically.
      .addColumn('handshake_stamp', binary(8))
      // Highest command id the depot reported as applied, and the last id handed out.
      .addColumn('last_applied_command_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_command_id', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at_ms', 'bigint')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('depots_organisation').on('depots').column('organisation_id').execute();

    await db.schema
      .createTable('depot_grants')
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('depot_grants_pk', ['depot_id', 'user_id'])
      .execute();
    await db.schema.createIndex('depot_grants_user').on('depot_grants').column('user_id').execute();

    await db.schema
      .createTable('compartments')
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('label', 'varchar(100)', (c) => c.notNull().defaultTo(''))
      .addColumn('door_open', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('has_key_sensor', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('key_present', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('updated_at_ms', 'bigint')
      .addPrimaryKeyConstraint('compartments_pk', ['depot_id', 'number'])
      .execute();

    await db.schema
      .createTable('depot_sessions')
      // The relay's 32-bit receiver id for the session: datagrams find it by this, not by address.
      .addColumn('session_id', 'bigint', (c) => c.primaryKey())
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('send_key', binary(32), (c) => c.notNull())
      .addColumn('receive_key', binary(32), (c) => c.notNull())
      .addColumn('remote_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      // Set when the first transport telegram arrived on it (protocol §9).
      .addColumn('confirmed_at_ms', 'bigint')
      // Send counters are handed out in blocks so that relay processes never reuse a nonce.
      .addColumn('send_counter_reserved', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('receive_counter_highest', 'bigint', (c) => c.notNull().defaultTo(-1))
      .addColumn('endpoint', 'varchar(64)')
      .execute();
    await db.schema.createIndex('depot_sessions_depot').on('depot_sessions').column('depot_id').execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('journal_epoch', binary(8), (c) => c.notNull())
      .addColumn('sequence', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'integer', (c) => c.notNull())
      .addColumn('compartment', 'integer', (c) => c.notNull())
      .addColumn('subject', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('depot_time_ms', 'bigint', (c) => c.notNull())
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('events_identity', ['depot_id', 'journal_epoch', 'sequence'])
      .execute();
    await db.schema.createIndex('events_depot_time').on('events').columns(['depot_id', 'received_at_ms']).execute();

    await db.schema
      .createTable('commands')
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('id', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'integer', (c) => c.notNull())
      // The command body as JSON (shared's CommandBody); encoded to bytes when sent.
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('not_after_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('sent_at_ms', 'bigint')
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('result_detail', 'varchar(255)')
      .addColumn('created_by_user_id', 'integer')
      .addPrimaryKeyConstraint('commands_pk', ['depot_id', 'id'])
      .execute();
    await db.schema.createIndex('commands_state').on('commands').columns(['state', 'depot_id']).execute();

    await db.schema
      .createTable('pins')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('depot_id', 'integer', (c) => c.notNull().references('depots.id'))
      .addColumn('compartment', 'integer', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('label', 'varchar(200)', (c) => c.notNull().defaultTo(''))
      // Sealed digits (docs/design.md, Sealing data at rest): the owner may need to read a PIN out to a customer.
      .addColumn('digits_sealed', binary(255))
      .addColumn('valid_from_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('valid_until_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('schedule', 'text')
      // Offline PINs: the slot they were derived for (protocol §14).
      .addColumn('offline_start_hour', 'bigint')
      .addColumn('offline_duration_code', 'integer')
      .addColumn('offline_variant', 'integer')
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_by_user_id', 'integer')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('used_at_ms', 'bigint')
      .addColumn('revoked_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('pins_depot').on('pins').columns(['depot_id', 'state']).execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      // 'user' (with actor_user_id), 'relay' or 'cli'.
      .addColumn('actor', 'varchar(16)', (c) => c.notNull())
      .addColumn('actor_user_id', 'integer')
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('organisation_id', 'integer')
      .addColumn('depot_id', 'integer')
      .addColumn('subject', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('before_json', 'text')
      .addColumn('after_json', 'text')
      .addColumn('address', 'varchar(64)')
      .execute();
    await db.schema.createIndex('audit_log_depot').on('audit_log').columns(['depot_id', 'at_ms']).execute();
  },
};
