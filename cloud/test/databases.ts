import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely/migration';
import { createConnection } from 'mysql2/promise';
import { loadDataSealer } from '../src/keys/data-key.js';
import { type Dialect, openDatabase, type StoreDatabase } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';

/**
 * The engines every store test runs against. SQLite always; MariaDB/MySQL when
 * KEYDEPOT_TEST_MYSQL_URL names a server. CI sets KEYDEPOT_REQUIRE_MYSQL=1 so a
 * missing server fails the run instead of silently shrinking it.
 */
export function testDialects(): Dialect[] {
  const mysqlUrl = process.env.KEYDEPOT_TEST_MYSQL_URL;
  if (!mysqlUrl && process.env.KEYDEPOT_REQUIRE_MYSQL === '1') {
    throw new Error('KEYDEPOT_REQUIRE_MYSQL=1 but KEYDEPOT_TEST_MYSQL_URL is not set');
  }
  return mysqlUrl ? ['sqlite', 'mysql'] : ['sqlite'];
}

/** A fresh, migrated, empty database of one engine, and how to throw it away. */
export interface TestDatabase extends StoreDatabase {
  /** The URL another process (a second relay, a CLI run) can open. */
  readonly url: string;
  /** The data key file the store's sealer reads, for another process that opens the same store. */
  readonly dataKeyFile: string;
  dispose(): Promise<void>;
}

/** `migrateTo`: stop after this migration (a store as an older version left it), instead of the latest. */
export async function createTestDatabase(
  dialect: Dialect,
  options: { migrateTo?: string } = {},
): Promise<TestDatabase> {
  const url = dialect === 'sqlite' ? sqliteUrl() : await createMysqlDatabase();
  // Sealed values (session keys, PIN digits) need a data key, as in production: its own file, outside the store.
  const keyDir = mkdtempSync(join(tmpdir(), 'keydepot-data-key-'));
  const dataKeyFile = join(keyDir, 'data.key');
  const store = openDatabase(url, { sealer: await loadDataSealer(dataKeyFile) });
  if (options.migrateTo === undefined) await migrateToLatest(store);
  else {
    const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateTo(options.migrateTo);
    if (error) throw error;
  }
  return {
    ...store,
    url,
    dataKeyFile,
    async dispose() {
      await store.close();
      rmSync(keyDir, { recursive: true, force: true });
      if (dialect === 'sqlite') rmSync(url.slice('sqlite:'.length).replace(/\/[^/]+$/, ''), { recursive: true });
      else await dropMysqlDatabase(url);
    },
  };
}

function sqliteUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keydepot-store-'));
  return `sqlite:${join(dir, 'store.sqlite')}`;
}

/** Each test database is its own schema on the shared server, so suites can run in parallel. */
async function createMysqlDatabase(): Promise<string> {
  const base = new URL(process.env.KEYDEPOT_TEST_MYSQL_URL as string);
  const name = `kd_test_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection({ uri: base.toString() });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return base.toString();
}

async function dropMysqlDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = parsed.pathname.slice(1);
  parsed.pathname = '/';
  const admin = await createConnection({ uri: parsed.toString() });
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.end();
  }
}
