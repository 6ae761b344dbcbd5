import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

/** Context a migration may need; I/O stays outside (the creation time is passed in). */
export interface MigrationContext {
  readonly nowMs: number;
  /** Config rows written with a new database, in the same transaction as its schema. */
  readonly initialSettings?: Readonly<Record<string, string | number | boolean>>;
}

/** One schema step; migration i takes user_version from i to i + 1 inside one transaction. */
export type Migration = (db: Database.Database, context: MigrationContext) => void;

/** Refused to open: the file has a newer schema than this firmware knows (a downgrade). */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
}

const v1: Migration = (db, { nowMs }) => {
  db.exec(`
    -- One row. The journal epoch is made with the database (protocol §11), so a
    -- replaced SD card starts a new epoch instead of reusing sequences.
    CREATE TABLE meta (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      epoch TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      last_sequence INTEGER NOT NULL DEFAULT 0,
      last_command_id INTEGER NOT NULL DEFAULT 0,
      clock_floor_ms INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    -- mac = HMAC-SHA256(pin key, digits); never the digits. A revoked PIN keeps
    -- its row (mac cleared) so a late add of the same id is refused.
    CREATE TABLE pins (
      id INTEGER PRIMARY KEY,
      kind INTEGER NOT NULL,
      compartment INTEGER NOT NULL,
      mac BLOB,
      valid_from_ms INTEGER NOT NULL DEFAULT 0,
      valid_until_ms INTEGER NOT NULL DEFAULT 0,
      schedule TEXT NOT NULL DEFAULT '[]',
      spent_ms INTEGER,
      revoked INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX pins_by_mac ON pins (mac);

    CREATE TABLE revoked_slots (
      compartment INTEGER NOT NULL,
      start_hour INTEGER NOT NULL,
      duration_code INTEGER NOT NULL,
      variant INTEGER NOT NULL,
      until_ms INTEGER NOT NULL,
      PRIMARY KEY (compartment, start_hour, duration_code, variant)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE journal (
      sequence INTEGER PRIMARY KEY,
      epoch TEXT NOT NULL,
      time_ms INTEGER NOT NULL,
      event INTEGER NOT NULL,
      compartment INTEGER NOT NULL,
      subject TEXT NOT NULL,
      acked INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX journal_unacked ON journal (sequence) WHERE acked = 0;

    CREATE TABLE command_results (
      id INTEGER PRIMARY KEY,
      status INTEGER NOT NULL,
      detail TEXT NOT NULL,
      confirmed INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE lockout (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      failed_attempts INTEGER NOT NULL,
      level INTEGER NOT NULL,
      until_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  `);
  db.prepare('INSERT INTO meta (id, epoch, created_ms) VALUES (1, ?, ?)').run(randomBytes(8).toString('hex'), nowMs);
  db.prepare('INSERT INTO lockout (id, failed_attempts, level, until_ms) VALUES (1, 0, 0, 0)').run();
};

function writeInitialSettings(db: Database.Database, context: MigrationContext): void {
  const insert = db.prepare('INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries(context.initialSettings ?? {})) insert.run(key, JSON.stringify(value));
}

/** Every schema step, oldest first. Append only: a shipped migration never changes. */
export const MIGRATIONS: readonly Migration[] = [v1];

/** Brings the database to the newest schema, one transaction per step, so a power cut leaves a whole version. */
export function migrate(db: Database.Database, context: MigrationContext): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new SchemaVersionError(`database schema ${version} is newer than this firmware (${MIGRATIONS.length})`);
  }
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      MIGRATIONS[step](db, context);
      // A new database gets its provisioned settings with its first schema: a power cut cannot split them.
      if (step === 0) writeInitialSettings(db, context);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}
