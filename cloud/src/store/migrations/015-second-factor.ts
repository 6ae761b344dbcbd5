import { type Kysely, sql } from 'kysely';

const binary = (bytes: number) => sql`varbinary(${sql.raw(String(bytes))})`;

/**
 * Second factors for portal logins (docs/operations.md, Second factor): TOTP
 * secrets (sealed, like PIN digits), hashed one-time recovery codes, passkeys
 * (WebAuthn public keys: not secret), and the one-use challenges of passkey
 * ceremonies. A session remembers whether its second factor is still owed;
 * an organisation whether its owners and managers must have one.
 */
export const secondFactor = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('totp_factors')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
      .addColumn('secret_sealed', binary(200), (c) => c.notNull())
      // Null while enrolment waits for the first correct code.
      .addColumn('confirmed_at_ms', 'bigint')
      // The newest 30-second step a code was accepted for: a code is good once (replay refused).
      .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('recovery_codes')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      // SHA-256 over the user id and the code: 80 random bits need no slow hash.
      .addColumn('code_hash', binary(32), (c) => c.notNull().unique())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('used_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();

    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      // WebAuthn allows up to 1023 bytes; authenticators use 16 to 64.
      .addColumn('credential_id', binary(1023), (c) => c.notNull().unique())
      .addColumn('public_key', binary(2048), (c) => c.notNull())
      .addColumn('sign_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('transports', 'varchar(200)', (c) => c.notNull().defaultTo(''))
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_used_ms', 'bigint')
      // Removed passkeys stay for the audit trail but never log in again.
      .addColumn('removed_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_user').on('passkeys').column('user_id').execute();

    await db.schema
      .createTable('webauthn_challenges')
      .addColumn('challenge', 'varchar(100)', (c) => c.primaryKey())
      // 'register', 'login' (username-less), 'verify' (after the password), 'reauth'.
      .addColumn('purpose', 'varchar(20)', (c) => c.notNull())
      .addColumn('user_id', 'integer')
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    // 'done', or what the session still owes after the password: 'verify' or 'enrol'.
    await db.schema
      .alterTable('portal_sessions')
      .addColumn('second_factor', 'varchar(10)', (c) => c.notNull().defaultTo('done'))
      .execute();
    // 'optional', or 'required' for owners and managers of the organisation's depots.
    await db.schema
      .alterTable('organisations')
      .addColumn('second_factor_policy', 'varchar(20)', (c) => c.notNull().defaultTo('optional'))
      .execute();
  },
};
