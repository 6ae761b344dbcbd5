import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TestDatabase } from '../databases.js';

/**
 * Everything the store has written, as bytes: the SQLite file with its WAL
 * and shared-memory files (read while the store is open, so what sits only
 * in the WAL counts), or a mysqldump of the MariaDB database. A secret that
 * shows up here is stored in clear somewhere.
 */
export async function storedBytes(db: TestDatabase): Promise<Buffer> {
  if (db.dialect === 'sqlite') {
    const file = db.url.slice('sqlite:'.length);
    const parts = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
    return Buffer.concat(parts);
  }
  const url = new URL(db.url);
  const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username)];
  if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
  const { stdout } = await promisify(execFile)('mysqldump', [...args, '--skip-comments', url.pathname.slice(1)], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
