import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

/*
 * Searching written bytes for secrets (issue 14): the data-protection test and
 * the migration test of sealed secrets look for the same forms the same way.
 */

const run = promisify(execFile);

/** A secret and every form it could be written in. */
export interface Secret {
  readonly what: string;
  readonly forms: readonly Buffer[];
}

export const textSecret = (what: string, text: string): Secret => ({ what, forms: [Buffer.from(text)] });
/** Key bytes: raw, hex in both cases (mysqldump --hex-blob writes upper case), base64. */
export function keySecret(what: string, key: Uint8Array): Secret {
  const raw = Buffer.from(key);
  return {
    what,
    forms: [
      raw,
      Buffer.from(raw.toString('hex')),
      Buffer.from(raw.toString('hex').toUpperCase()),
      Buffer.from(raw.toString('base64')),
    ],
  };
}

/** Which secrets appear in `bytes` ("<secret> in <where>"). */
export function leaks(where: string, bytes: Buffer, secrets: readonly Secret[]): string[] {
  return secrets.filter((s) => s.forms.some((form) => bytes.includes(form))).map((s) => `${s.what} in ${where}`);
}

/** mysqldump (or mariadb-dump) of one database, as bytes: plain, and with binary columns as hex. */
export async function mysqlDumps(url: string): Promise<{ plain: Buffer; hexBlob: Buffer }> {
  const tool = existsSync('/usr/bin/mysqldump') || !existsSync('/usr/bin/mariadb-dump') ? 'mysqldump' : 'mariadb-dump';
  const u = new URL(url);
  const args = [
    '--protocol=tcp',
    `--host=${u.hostname}`,
    `--port=${u.port || '3306'}`,
    `--user=${decodeURIComponent(u.username)}`,
    ...(u.password ? [`--password=${decodeURIComponent(u.password)}`] : []),
    '--single-transaction',
    u.pathname.slice(1),
  ];
  const dump = async (extra: string[]) =>
    (await run(tool, [...extra, ...args], { encoding: 'buffer', maxBuffer: 256 << 20 })).stdout as Buffer;
  return { plain: await dump([]), hexBlob: await dump(['--hex-blob']) };
}
