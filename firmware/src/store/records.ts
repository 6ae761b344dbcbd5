import type { CommandStatus, EventKind, OfflinePinSlot, PinKind, ScheduleEntry } from '@keydepot/shared';

/** A stored PIN: the cloud's id, its rules, and a keyed MAC instead of the digits. */
export interface PinRecord {
  readonly id: number;
  readonly kind: PinKind;
  readonly compartment: number;
  /** 0 = unbounded. */
  readonly validFromMs: number;
  /** 0 = unbounded; exclusive. */
  readonly validUntilMs: number;
  readonly schedule: readonly ScheduleEntry[];
  /** Depot time the one-time PIN was used; undefined while unused. */
  readonly spentMs?: number;
  readonly revoked: boolean;
}

/** A new PIN as the store takes it. */
export interface NewPin extends Omit<PinRecord, 'spentMs' | 'revoked'> {
  readonly mac: Uint8Array;
}

/** An event before it is journaled: the store gives it its sequence. */
export interface NewEvent {
  readonly timeMs: number;
  readonly event: EventKind;
  readonly compartment: number;
  readonly subject: string;
}

/** The persisted brute-force state (see depot/lockout.ts). */
export interface LockoutRecord {
  /** Wrong PINs since the last correct one (or reset). Never goes back except by a reset. */
  readonly failedAttempts: number;
  /** Lockouts started since the last reset; the next lockout lasts 30 s × 2^level, capped. */
  readonly level: number;
  /** Depot time the current lockout ends; 0 when none is running (or its end was journaled). */
  readonly untilMs: number;
}

export interface StoredResult {
  readonly id: number;
  readonly status: CommandStatus;
  readonly detail: string;
}

export type RevokedSlot = OfflinePinSlot;
