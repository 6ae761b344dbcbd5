import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A key file is missing, readable by others, or does not hold a key. */
export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

const KEY_HEX = /^[0-9a-f]{64}$/;

export interface SecretKeyFileOptions {
  readonly file: string;
  /** What the key is, for messages: "relay key". */
  readonly label: string;
  /** Create the file with `generate()` when it does not exist yet. */
  readonly createIfMissing: boolean;
  readonly generate: () => Uint8Array;
}

/**
 * Reads a 32-byte secret stored as 64 lower-case hex digits in its own file,
 * or creates one (mode 0600, never overwriting: `wx`). A file that group or
 * others may read or write is refused rather than used: a leaked relay key lets
 * anyone impersonate the relay, a leaked offline master opens every depot.
 */
export async function loadSecretKeyFile(options: SecretKeyFileOptions): Promise<{ key: Uint8Array; created: boolean }> {
  const { file, label } = options;
  const mode = await modeOf(file);
  if (mode === undefined) {
    if (!options.createIfMissing) throw new KeyFileError(`${label} file ${file} does not exist`);
    const key = options.generate();
    if (key.length !== 32) throw new KeyFileError(`${label}: a generated key must be 32 bytes`);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, `${Buffer.from(key).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      return { key, created: true };
    } catch (error) {
      // Another process created it first: use theirs, so both agree on one key.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return { key: await readKey(file, label, await modeOf(file)), created: false };
  }
  return { key: await readKey(file, label, mode), created: false };
}

async function readKey(file: string, label: string, mode: number | undefined): Promise<Uint8Array> {
  if (mode === undefined) throw new KeyFileError(`${label} file ${file} does not exist`);
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError(
      `${label} file ${file} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ` +
        `run chmod 600 ${file}`,
    );
  }
  const content = (await readFile(file, 'utf8')).trim();
  if (!KEY_HEX.test(content)) throw new KeyFileError(`${label} file ${file} must hold 64 lower-case hex digits`);
  return new Uint8Array(Buffer.from(content, 'hex'));
}

async function modeOf(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new KeyFileError(`${file} is not a file`);
    return info.mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
