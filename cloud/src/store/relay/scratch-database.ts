import { sql } from 'kysely';
import { openDatabase } from '../database.js';

/**
 * A throw-away MySQL/MariaDB schema on the server of `baseUrl`, for benchmarks
 * and load tests that must not touch real data. Returns its URL and how to drop it.
 */
export async function createScratchMysqlDatabase(
  baseUrl: string,
  prefix = 'kd_scratch',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = openDatabase(baseUrl, { mysqlPoolSize: 1 });
  await sql`CREATE DATABASE ${sql.id(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`.execute(admin.db);
  const parsed = new URL(baseUrl);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    async drop() {
      await sql`DROP DATABASE IF EXISTS ${sql.id(name)}`.execute(admin.db);
      await admin.close();
    },
  };
}
