import { type Kysely, sql } from 'kysely';

const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;

/**
 * The portal's own tables: browser sessions, login throttling and one-time
 * set-password links. Tokens are stored only as SHA-256 hashes, so a copy of
 * the database does not let anyone take over a session or set a password.
 */
export const portal = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('portal_sessions')
      .addColumn('token_hash', binary(32), (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      // Synchronizer token for every form of this session (CSRF).
      .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
      // Absolute end: a stolen cookie stops working by then even if kept busy.
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('ended_at_ms', 'bigint')
      .addColumn('address', 'varchar(64)')
      .execute();
    await db.schema.createIndex('portal_sessions_user').on('portal_sessions').column('user_id').execute();

    await db.schema
      .createTable('login_throttle')
      // 'user:<name>' or 'addr:<address>'.
      .addColumn('throttle_key', 'varchar(190)', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_ms', 'bigint', (c) => c.notNull())
      .addColumn('blocked_until_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('password_tokens')
      .addColumn('token_hash', binary(32), (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('created_by_user_id', 'integer')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('used_at_ms', 'bigint')
      .execute();

    // Movement lists filter by depot and time, newest first.
    await db.schema
      .createIndex('events_depot_depot_time')
      .on('events')
      .columns(['depot_id', 'depot_time_ms'])
      .execute();
  },
};
