import { ownerOnlySqliteFiles } from '@keydepot/shared';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { DataSealer } from '../keys/data-key.js';
import type { Schema } from './schema.js';

export type Dialect = 'sqlite' | 'mysql';

/** One open store: the Kysely handle plus what callers need to know about the engine behind it. */
export interface StoreDatabase {
  readonly db: Kysely<Schema>;
  readonly dialect: Dialect;
  /**
   * The better-sqlite3 handle behind an SQLite store, for hot paths that keep
   * their own prepared statements (the relay's uplink batches); undefined on MySQL.
   */
  readonly sqlite?: Database.Database;
  /**
   * Seals the secrets the store keeps beside their rows (a command's PIN
   * digits, a session's transport keys) with the data key. The relay and
   * queueCommand refuse to store such a secret without it, rather than store
   * it in clear. Spreading the store (`{ ...store, db: trx }`) keeps it.
   */
  readonly sealer?: DataSealer;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  readonly mysqlPoolSize?: number;
  /** The data key sealer (keys/data-key.ts loadDataSealer); needed by the relay and to queue a PIN. */
  readonly sealer?: DataSealer;
}

/**
 * Opens the store named by `url`: `sqlite:<path>` (or `sqlite::memory:`) for the
 * embedded default, `mysql://user:pass@host:port/db` for MySQL/MariaDB.
 * Nothing connects at import time; the caller owns the returned handle.
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): StoreDatabase {
  const sealer = options.sealer ? { sealer: options.sealer } : {};
  if (url.startsWith('sqlite:')) return { ...openSqlite(url.slice('sqlite:'.length)), ...sealer };
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    return { ...openMysql(url.replace(/^mariadb:/, 'mysql:'), options.mysqlPoolSize ?? 10), ...sealer };
  }
  throw new Error(`database URL must start with sqlite: or mysql://, got '${url}'`);
}

function openSqlite(path: string): StoreDatabase {
  const inMemory = path === '' || path === ':memory:';
  // The store holds password hashes, sealed secrets and the depots' journals: owner only,
  // from the first byte (SQLite gives the -wal and -shm files it creates the database file's mode).
  if (!inMemory) ownerOnlySqliteFiles(path);
  const sqlite = new Database(inMemory ? ':memory:' : path);
  // WAL lets the portal read while the relay writes; NORMAL is durable across
  // process crashes in WAL mode (an OS crash may lose the last commits, never corrupt).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

function openMysql(url: string, connectionLimit: number): StoreDatabase {
  const pool = createPool({
    uri: url,
    connectionLimit,
    // Times are stored as BIGINT milliseconds, always below 2^53.
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  });
  const db = new Kysely<Schema>({ dialect: new MysqlDialect({ pool }) });
  return { db, dialect: 'mysql', close: () => db.destroy() };
}
