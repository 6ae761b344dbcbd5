import { readFileSync } from 'node:fs';
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
  /** Disk full (decisions held in memory, or the reserve released), held and dropped events; absent in older files. */
  readonly disk?: { readonly full: boolean; readonly events: number; readonly dropped: number };
  /** The keypad board stopped answering pings; absent in older files. */
  readonly keypadDead?: boolean;
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
