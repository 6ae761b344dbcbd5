import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import type { StoreDatabase } from './database.js';
import { migrations } from './migrations/index.js';

const provider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  },
};

/** Applies every pending migration in name order; returns the names applied now. */
export async function migrateToLatest(store: StoreDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
