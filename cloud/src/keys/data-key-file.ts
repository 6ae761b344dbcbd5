import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeyFileError } from './secret-key-file.js';

/*
 * The data key file (docs/operations.md, Key files) holds every data key still needed to open a
 * sealed value, and names the one that seals new values:
 *
 *   # keydepot data keys …
 *   current 2
 *   key 1 <64 hex digits>
 *   key 2 <64 hex digits>
 *
 * A file that holds nothing but 64 hex digits is the first format (one key):
 * it reads as key 1, current. Every write is atomic (temporary file, fsync,
 * rename, fsync of the folder) with mode 0400, so a crash leaves the old file
 * or the new one, never half of one.
 */

/** The keys a key file holds: ids 1 to 255 (the key-id byte of a sealed value), one of them current. */
export interface DataKeyring {
  readonly keys: ReadonlyMap<number, Uint8Array>;
  readonly currentId: number;
}

const MAX_DATA_KEY_ID = 255;
const LABEL = 'data key';
const KEY_HEX = /^[0-9a-f]{64}$/;
const HEADER = [
  '# keydepot data keys (docs/operations.md, "Rotating the data key").',
  '# "key <id> <hex>" opens values sealed under that id; "current" names the key that seals new values.',
  '# Written by keydepot-cloud; keep it mode 0400 and back it up with every database backup.',
];

/** Reads the file: a missing, group- or world-readable, or malformed file is a KeyFileError. */
export function readDataKeys(file: string): DataKeyring {
  const mode = modeOf(file);
  if (mode === undefined) throw new KeyFileError(`${LABEL} file ${file} does not exist`);
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new KeyFileError(`${LABEL} file ${file} is open to group or others (mode ${octal}); run chmod 400 ${file}`);
  }
  return parseDataKeys(readFileSync(file, 'utf8'), file);
}

/** Parses either format; `file` only names the file in messages. */
export function parseDataKeys(text: string, file: string): DataKeyring {
  const bad = (why: string) => new KeyFileError(`${LABEL} file ${file}: ${why}`);
  if (KEY_HEX.test(text.trim())) return { keys: new Map([[1, hexKey(text.trim())]]), currentId: 1 };
  const keys = new Map<number, Uint8Array>();
  let currentId: number | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const id = keyId(words[1]);
    if (words[0] === 'current' && words.length === 2 && id !== undefined && currentId === undefined) currentId = id;
    else if (words[0] === 'key' && words.length === 3 && id !== undefined && KEY_HEX.test(words[2] ?? '')) {
      if (keys.has(id)) throw bad(`key ${id} appears twice (line ${index + 1})`);
      keys.set(id, hexKey(words[2] as string));
    } else throw bad(`line ${index + 1} is neither "current <id>" nor "key <id> <64 lower-case hex digits>"`);
  }
  if (currentId === undefined) throw bad('no "current <id>" line');
  if (!keys.has(currentId)) throw bad(`the current key ${currentId} is not in the file`);
  return { keys, currentId };
}

/** The file's text in the multi-key format, keys in id order. */
function formatDataKeys(ring: DataKeyring): string {
  const ids = [...ring.keys.keys()].sort((a, b) => a - b);
  const lines = ids.map((id) => `key ${id} ${Buffer.from(ring.keys.get(id) as Uint8Array).toString('hex')}`);
  return `${[...HEADER, `current ${ring.currentId}`, ...lines].join('\n')}\n`;
}

/** The ring with a fresh random key under the next free id, made current. */
export function withNewKey(ring: DataKeyring): DataKeyring {
  const highest = Math.max(0, ...ring.keys.keys());
  // Past 255 the byte wraps to the lowest id no longer in the file (retired keys free their ids).
  const candidates = [...range(highest + 1, MAX_DATA_KEY_ID), ...range(1, highest)];
  const id = candidates.find((candidate) => !ring.keys.has(candidate));
  if (id === undefined) throw new KeyFileError(`${LABEL}: all ${MAX_DATA_KEY_ID} key ids are taken; retire old keys`);
  return { keys: new Map([...ring.keys, [id, new Uint8Array(randomBytes(32))]]), currentId: id };
}

/** Replaces the file atomically (mode 0400). */
export async function writeDataKeys(file: string, ring: DataKeyring): Promise<void> {
  const temporary = await writeTemporary(file, ring);
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(file);
}

/**
 * Creates the file with a first key unless it exists. link() instead of
 * rename() fails when another process created the file first, so two first
 * starts agree on one key instead of each sealing with its own.
 */
export async function createDataKeysIfMissing(file: string): Promise<boolean> {
  if (modeOf(file) !== undefined) return false;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = await writeTemporary(file, withNewKey({ keys: new Map(), currentId: 0 }));
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  await syncFolder(file);
  return true;
}

/** A fingerprint of the file as it is on disk now (undefined when missing): changes with every rewrite. */
export function dataKeyFileStamp(file: string): string | undefined {
  try {
    const info = statSync(file);
    return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeTemporary(file: string, ring: DataKeyring): Promise<string> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // 0400 from the first byte: the descriptor may write even though the mode says read-only.
  const handle = await open(temporary, 'wx', 0o400);
  try {
    try {
      await handle.writeFile(formatDataKeys(ring));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return temporary;
}

/** The rename is durable only once the folder's entry is on disk. */
async function syncFolder(file: string): Promise<void> {
  const folder = await open(dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function modeOf(file: string): number | undefined {
  try {
    const info = statSync(file);
    if (!info.isFile()) throw new KeyFileError(`${file} is not a file`);
    return info.mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function keyId(text: string | undefined): number | undefined {
  const id = /^\d{1,3}$/.test(text ?? '') ? Number(text) : 0;
  return id >= 1 && id <= MAX_DATA_KEY_ID ? id : undefined;
}

function hexKey(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function range(from: number, to: number): number[] {
  return from > to ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
