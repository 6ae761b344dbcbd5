import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

/*
 * File modes for what holds a secret or a journal, on the depot and in the
 * cloud (docs/operations.md, "File modes"): files 0600, folders 0700. Both
 * sides open SQLite the same way, so the rule lives here once.
 */

/** The mode bits of a file or folder, or undefined when it does not exist. */
export function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** True when group or others have any right on it (what 0600 and 0700 forbid). */
export const openToOthers = (mode: number): boolean => (mode & 0o077) !== 0;

/**
 * Sets `mode` on an existing file whose group or others have rights; leaves a
 * missing file alone. Returns whether it changed the mode.
 */
export function tightenMode(path: string, mode: 0o600 | 0o700): boolean {
  const now = modeOf(path);
  if (now === undefined || !openToOthers(now)) return false;
  chmodSync(path, mode);
  return true;
}

/**
 * An SQLite database before it is opened: created empty with mode 0600 when it
 * is missing (SQLite would create it under the umask, usually 0644), and an
 * existing one, its -wal, -shm and -journal set to 0600 where they are looser
 * (files of an older version). SQLite gives the -wal and -shm it creates the
 * mode of the database file, so they follow.
 */
export function ownerOnlySqliteFiles(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) tightenMode(file, 0o600);
}
