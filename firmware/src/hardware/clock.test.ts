import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from './clock.js';

const DAY_MS = 24 * 3_600_000;

describe('RealClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a timer after its delay', () => {
    const clock = new RealClock();
    let ran = 0;
    clock.after(60_000, () => ran++);
    vi.advanceTimersByTime(59_999);
    expect(ran).toBe(0);
    vi.advanceTimersByTime(1);
    expect(ran).toBe(1);
  });

  it('waits the full delay past setTimeout’s 24.8-day limit (a long lockout or a PIN window)', () => {
    const clock = new RealClock();
    let ran = 0;
    clock.after(30 * DAY_MS, () => ran++);
    vi.advanceTimersByTime(25 * DAY_MS);
    expect(ran).toBe(0);
    vi.advanceTimersByTime(5 * DAY_MS - 1);
    expect(ran).toBe(0);
    vi.advanceTimersByTime(1);
    expect(ran).toBe(1);
  });

  it('cancels a long timer in either of its legs', () => {
    const clock = new RealClock();
    let ran = 0;
    const first = clock.after(30 * DAY_MS, () => ran++);
    first.cancel();
    const second = clock.after(30 * DAY_MS, () => ran++);
    vi.advanceTimersByTime(26 * DAY_MS);
    second.cancel();
    vi.advanceTimersByTime(10 * DAY_MS);
    expect(ran).toBe(0);
  });

  it('moves its monotonic time with the timers and never backwards', () => {
    const clock = new RealClock();
    const start = clock.monotonicMs();
    vi.advanceTimersByTime(1_500);
    expect(clock.monotonicMs() - start).toBe(1_500);
    expect(clock.wallMs()).toBe(Date.now());
  });
});
