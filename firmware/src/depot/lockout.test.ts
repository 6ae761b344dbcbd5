import { describe, expect, it } from 'vitest';
import type { LockoutRecord } from '../store/records.js';
import {
  endLockout,
  isLockedOut,
  lockoutDurationMs,
  lockoutEnded,
  MAX_LOCKOUT_MS,
  NO_LOCKOUT,
  registerFailure,
  remainingMs,
} from './lockout.js';

/** Fails `n` times, each once any lockout has passed; returns the state and the lockout lengths seen. */
function failTimes(n: number, start: LockoutRecord = NO_LOCKOUT) {
  let state = start;
  let now = 1_000_000;
  const lockouts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (state.untilMs !== 0) {
      now = state.untilMs;
      state = endLockout(state);
    }
    const next = registerFailure(state, now);
    if (next.started) lockouts.push(next.state.untilMs - now);
    state = next.state;
  }
  return { state, lockouts };
}

describe('lockout', () => {
  it('gives 5 free tries, then locks for 30 s', () => {
    expect(failTimes(4).lockouts).toEqual([]);
    const { state, lockouts } = failTimes(5);
    expect(lockouts).toEqual([30_000]);
    expect(state.failedAttempts).toBe(5);
  });

  it('doubles each further lockout up to a 1 h cap', () => {
    const { lockouts } = failTimes(14);
    expect(lockouts).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(lockoutDurationMs(100)).toBe(MAX_LOCKOUT_MS);
  });

  it('is locked until the end, exclusive', () => {
    const state = { failedAttempts: 5, level: 1, untilMs: 2000 };
    expect(isLockedOut(state, 1999)).toBe(true);
    expect(remainingMs(state, 1500)).toBe(500);
    expect(isLockedOut(state, 2000)).toBe(false);
    expect(lockoutEnded(state, 2000)).toBe(true);
    expect(lockoutEnded(endLockout(state), 5000)).toBe(false);
  });

  it('keeps counting after a lockout ends (the counter never goes back)', () => {
    const { state } = failTimes(7);
    expect(state.failedAttempts).toBe(7);
    expect(state.level).toBe(3);
  });
});
