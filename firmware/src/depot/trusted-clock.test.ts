import { describe, expect, it } from 'vitest';
import type { Clock } from '../hardware/types.js';
import { TrustedClock } from './trusted-clock.js';

/** A monotonic clock moved by hand, with timers; and a floor "on disk". */
function setup(floor = 0) {
  let mono = 500;
  const timers: { at: number; task: () => void }[] = [];
  const clock: Clock = {
    wallMs: () => 0,
    monotonicMs: () => mono,
    after: (delay, task) => {
      const timer = { at: mono + delay, task };
      timers.push(timer);
      return { cancel: () => timers.splice(timers.indexOf(timer), 1) };
    },
  };
  const disk = { floor, writes: 0 };
  const store = {
    clockFloorMs: () => disk.floor,
    raiseClockFloor: (ms: number) => {
      disk.writes++;
      disk.floor = Math.max(disk.floor, ms);
    },
  };
  const advance = (ms: number) => {
    mono += ms;
    for (const timer of timers.filter((t) => t.at <= mono)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.task();
    }
  };
  return { clock, disk, store, advance };
}

describe('trusted clock', () => {
  it('is unknown until a TIME arrives; the floor alone does not make it known', () => {
    const { clock, store, advance } = setup(1_000_000);
    const trusted = new TrustedClock({ clock, store });
    expect(trusted.known).toBe(false);
    expect(trusted.nowMs()).toBeUndefined();
    advance(2000);
    expect(trusted.estimateMs()).toBe(1_002_000);
  });

  it('runs on from a TIME by the monotonic clock and writes the floor at every TIME', () => {
    const { clock, disk, store, advance } = setup();
    const trusted = new TrustedClock({ clock, store });
    expect(trusted.setTime(5_000_000)).toEqual({ kind: 'set', deltaMs: 5_000_000 });
    expect(disk.floor).toBe(5_000_000);
    advance(1500);
    expect(trusted.nowMs()).toBe(5_001_500);
    expect(trusted.setTime(5_001_600).kind).toBe('unchanged');
    expect(trusted.setTime(5_100_000)).toEqual({ kind: 'corrected', deltaMs: 98_400 });
    expect(disk.floor).toBe(5_100_000);
  });

  it('never goes backwards, even when the relay steps back', () => {
    const { clock, store, advance } = setup();
    const trusted = new TrustedClock({ clock, store });
    trusted.setTime(10_000_000);
    trusted.setTime(9_000_000);
    expect(trusted.nowMs()).toBe(10_000_000);
    advance(500_000);
    expect(trusted.nowMs()).toBe(10_000_000);
    advance(600_000);
    expect(trusted.nowMs()).toBe(10_100_000);
  });

  it('across a reboot starts from the floor and does not go below it', () => {
    const first = setup();
    const before = new TrustedClock({ clock: first.clock, store: first.store });
    before.setTime(7_000_000);
    first.advance(60_000);
    before.persistFloor();
    const second = setup(first.disk.floor);
    const after = new TrustedClock({ clock: second.clock, store: second.store });
    expect(after.known).toBe(false);
    expect(after.estimateMs()).toBe(7_060_000);
  });

  it('writes the floor every interval while running, and stops', () => {
    const { clock, disk, store, advance } = setup(1000);
    const trusted = new TrustedClock({ clock, store, floorWriteIntervalMs: 60_000 });
    trusted.start();
    advance(59_999);
    expect(disk.writes).toBe(0);
    advance(1);
    expect(disk.floor).toBe(61_000);
    advance(60_000);
    expect(disk.writes).toBe(2);
    trusted.stop();
    advance(600_000);
    expect(disk.writes).toBe(2);
  });
});
