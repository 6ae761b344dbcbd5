import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import type { StoreDatabase } from './database.js';
import { migrations } from './migrations/index.js';

const provider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  },
};

/**
 * Applies every pending migration in name order; returns the names applied now.
 * On SQLite with secure deletion: a migration that clears a secret written by
 * an older version must not leave its bytes behind (scrubbingSqlite).
 */
export async function migrateToLatest(store: StoreDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await scrubbingSqlite(
    store,
    () => migrator.migrateToLatest(),
    (outcome) => (outcome.results ?? []).length > 0,
  );
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs `work`, which overwrites or deletes secrets, so that SQLite keeps no
 * copy of the old bytes: secure_delete zeroes the space rows leave (otherwise
 * free pages keep them), and a TRUNCATE checkpoint then moves the new pages
 * into the database file and empties the WAL, which held the old pages. The
 * checkpoint is best effort: a reader in another process can hold the WAL,
 * which then resets with a later checkpoint. MySQL/MariaDB: run as it is.
 */
export async function scrubbingSqlite<T>(
  store: StoreDatabase,
  work: () => Promise<T>,
  changed: (result: T) => boolean,
): Promise<T> {
  const { sqlite } = store;
  if (!sqlite) return work();
  const before = sqlite.pragma('secure_delete', { simple: true });
  sqlite.pragma('secure_delete = ON');
  let result: T;
  try {
    result = await work();
  } finally {
    sqlite.pragma(`secure_delete = ${Number(before) === 1 ? 'ON' : 'OFF'}`);
  }
  // Only after a change: the checkpoint waits for writers (busy_timeout), and most runs change nothing.
  if (changed(result)) sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return result;
}
