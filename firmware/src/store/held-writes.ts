import Database from 'better-sqlite3';
import type { LockoutRecord, NewEvent } from './records.js';

/** Events held in memory at most while the disk is full; later ones are counted and dropped. */
export const MAX_HELD_EVENTS = 2000;

/**
 * Whether a store error means "nothing can be written now": a full file system
 * (SQLITE_FULL) or a write the card refused (SQLITE_IOERR_*, also what a full
 * disk gives while SQLite grows its shared-memory file). Both leave the database
 * as it was; the depot keeps working from memory until a write succeeds again.
 */
export function isUnwritable(error: unknown): boolean {
  if (!(error instanceof Database.SqliteError)) return false;
  return error.code === 'SQLITE_FULL' || error.code.startsWith('SQLITE_IOERR');
}

/** A write to the store refused while the disk is full (a command, which the cloud sends again). */
export class StoreFullError extends Error {
  override readonly name = 'StoreFullError';
}

/**
 * What the depot decided while it could not write: the events in journal order
 * (bounded), one-time PINs spent, the newest lockout state and clock floor.
 * The store answers its reads through these, so a PIN spent while the disk is
 * full cannot open twice and wrong PINs still count towards a lockout; flush
 * writes them all in one transaction once space returns.
 */
export class HeldWrites {
  readonly events: NewEvent[] = [];
  readonly spent = new Map<number, number>();
  lockout: LockoutRecord | undefined;
  floorMs = 0;
  /** Events not held because the buffer was full. */
  dropped = 0;

  holdEvent(event: NewEvent): boolean {
    if (this.events.length >= MAX_HELD_EVENTS) {
      this.dropped++;
      return false;
    }
    this.events.push(event);
    return true;
  }

  raiseFloor(ms: number): void {
    if (ms > this.floorMs) this.floorMs = ms;
  }

  /** As JSON, for a stop while the disk is still full (the daemon keeps it on the tmpfs beside status.json). */
  toJson(): string {
    const { events, lockout, floorMs, dropped } = this;
    return JSON.stringify({ events, spent: [...this.spent], lockout, floorMs, dropped });
  }

  /** Takes over what an earlier run held (parsed from toJson), before anything of this run. */
  adopt(json: string): void {
    const earlier = JSON.parse(json) as {
      events: NewEvent[];
      spent: [number, number][];
      lockout?: LockoutRecord;
      floorMs: number;
      dropped: number;
    };
    this.events.unshift(...earlier.events.slice(0, MAX_HELD_EVENTS));
    this.dropped += earlier.dropped + Math.max(0, this.events.length - MAX_HELD_EVENTS);
    this.events.splice(MAX_HELD_EVENTS);
    for (const [id, atMs] of earlier.spent) if (!this.spent.has(id)) this.spent.set(id, atMs);
    this.lockout ??= earlier.lockout;
    this.raiseFloor(earlier.floorMs);
  }
}
