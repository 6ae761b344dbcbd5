import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where the last handshake stamp lives (protocol §6.1). `set` must be durable
 * when it returns: the stamp is written before the initiation leaves, so that
 * a power cut never lets the depot send a stamp the relay has seen.
 */
export interface StampStore {
  /** The last stamp sent, 0 when none. */
  get(): number;
  set(stamp: number): void;
}

/** A StampStore in memory, for tests and the simulator. */
export function memoryStampStore(initial = 0): StampStore & { readonly history: readonly number[] } {
  let last = initial;
  const history: number[] = [];
  return {
    history,
    get: () => last,
    set(stamp) {
      last = stamp;
      history.push(stamp);
    },
  };
}

/**
 * A StampStore in a small text file: write to a temporary file, fsync it,
 * rename it over the old one and fsync the directory, so the file holds
 * either the old or the new stamp after a power cut, never half of one.
 */
export function fileStampStore(path: string): StampStore {
  let cached: number | null = null;
  return {
    get() {
      if (cached !== null) return cached;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw error;
      }
      const stamp = Number(text.trim());
      if (!Number.isSafeInteger(stamp) || stamp < 0) throw new RangeError(`${path} holds no stamp: '${text.trim()}'`);
      cached = stamp;
      return stamp;
    },
    set(stamp) {
      const temporary = `${path}.tmp`;
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, `${stamp}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
      const directory = openSync(dirname(path), 'r');
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
      cached = stamp;
    },
  };
}
