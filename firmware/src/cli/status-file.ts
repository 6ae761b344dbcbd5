import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StatusFrame } from '@keydepot/shared';
import type { LinkSnapshot } from '../link/link-snapshot.js';

export const STATUS_FILE_VERSION = 1;

/**
 * What the daemon writes every few seconds for `keydepot-depot status`, so the
 * technician's command reads a file instead of talking to the running daemon.
 */
export interface DepotStatusFile {
  readonly version: typeof STATUS_FILE_VERSION;
  readonly pid: number;
  readonly writtenAtMs: number;
  readonly depotId: number;
  readonly epoch: string;
  readonly link: LinkSnapshot;
  /** The STATUS frame the next check-in would carry (outbox, lockout, last command, compartments). */
  readonly depot: StatusFrame;
  readonly lockedOut: boolean;
  readonly clockKnown: boolean;
}

/**
 * Replaces the status file atomically (temporary file, rename), mode 0600: it
 * tells whoever reads it the depot's lockout, outbox and link state, so only
 * the daemon's user (and `sudo -u keydepot keydepot-depot status`) may.
 */
export function writeStatusFile(path: string, status: DepotStatusFile): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of a temporary file left by an older version.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Reads the status file, or undefined when the daemon has not written one yet. */
export function readStatusFile(path: string): DepotStatusFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = JSON.parse(text) as DepotStatusFile;
  if (value.version !== STATUS_FILE_VERSION) throw new Error(`${path}: unknown status file version ${value.version}`);
  return value;
}
