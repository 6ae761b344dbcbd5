import type { LockoutRecord } from '../store/records.js';

/**
 * Brute-force lockout (docs/design.md, Brute-force lockout): 5 free wrong PINs, then a lockout of 30 s
 * that doubles with every further wrong PIN up to a 1 h cap; only a correct
 * PIN or LOCKOUT_RESET resets it. Pure state; the store persists it in the
 * same transaction as the PIN_REJECTED event, so the counter never goes back.
 * That allows ~24 guesses a day, against ~1,400 for "5 wrong → 5 min".
 */
const FREE_ATTEMPTS = 5;
const FIRST_LOCKOUT_MS = 30_000;
export const MAX_LOCKOUT_MS = 3_600_000;

export const NO_LOCKOUT: LockoutRecord = { failedAttempts: 0, level: 0, untilMs: 0 };

/** Length of the lockout number `level` (1 = first). */
export function lockoutDurationMs(level: number): number {
  return Math.min(FIRST_LOCKOUT_MS * 2 ** Math.max(0, level - 1), MAX_LOCKOUT_MS);
}

/** True while typed PINs are not even checked. */
export function isLockedOut(state: LockoutRecord, nowMs: number): boolean {
  return state.untilMs !== 0 && nowMs < state.untilMs;
}

/** Milliseconds of lockout left (0 when none). */
export function remainingMs(state: LockoutRecord, nowMs: number): number {
  return isLockedOut(state, nowMs) ? state.untilMs - nowMs : 0;
}

/** After a wrong PIN: the new state, and whether a lockout starts (an alert). */
export function registerFailure(state: LockoutRecord, nowMs: number): { state: LockoutRecord; started: boolean } {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts < FREE_ATTEMPTS) return { state: { ...state, failedAttempts }, started: false };
  const level = state.level + 1;
  return { state: { failedAttempts, level, untilMs: nowMs + lockoutDurationMs(level) }, started: true };
}

/** A lockout whose time has passed and whose end is not yet journaled (LOCKOUT_ENDED is due). */
export function lockoutEnded(state: LockoutRecord, nowMs: number): boolean {
  return state.untilMs !== 0 && nowMs >= state.untilMs;
}

/** The state once LOCKOUT_ENDED is journaled: counters stay (the next wrong PIN locks again, longer). */
export function endLockout(state: LockoutRecord): LockoutRecord {
  return { ...state, untilMs: 0 };
}
