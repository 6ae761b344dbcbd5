import { EventKind, PinKind } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createDepotCore } from '../../src/depot/depot-core.js';
import type { Clock } from '../../src/hardware/types.js';
import { openDepotStore } from '../../src/store/depot-store.js';
import { FakeClock, fakeHardware } from './fakes.js';
import { command, NOW, OFFLINE_KEY, PIN_KEY, pinAdd, tempDb } from './harness.js';

/**
 * RealClock's monotonic time is performance.now(): fractional. The store keeps
 * times in INTEGER columns of STRICT tables, where a fraction fails the insert
 * (SQLITE_CONSTRAINT_DATATYPE). The core must take such a clock as it comes.
 */
class FractionalClock implements Clock {
  constructor(readonly inner: FakeClock) {}
  wallMs = () => this.inner.wallMs() + 0.318;
  monotonicMs = () => this.inner.monotonicMs() + 0.618;
  after = (delayMs: number, task: () => void) => this.inner.after(delayMs, task);
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('depot core on a fractional clock', () => {
  it('journals, locks out, spends and writes the clock floor in whole milliseconds', () => {
    const db = tempDb();
    const fake = new FakeClock(NOW);
    const clock = new FractionalClock(fake);
    const hw = { ...fakeHardware(2, fake), clock };
    const store = openDepotStore(db.path, { nowMs: clock.wallMs() });
    cleanup = () => {
      store.close();
      db.remove();
    };
    const core = createDepotCore({
      hardware: hw,
      store,
      pinMacKey: PIN_KEY,
      offline: { key: OFFLINE_KEY, depotId: 1 },
      firmwareVersion: 'test-1',
    });
    core.start();

    // Clock unknown: the lockout is timed by floor + uptime.
    for (let i = 0; i < 5; i++) hw.keypad.press('000000#');
    expect(core.lockedOut()).toBe(true);
    expect(Number.isInteger(store.lockout().untilMs)).toBe(true);
    fake.advance(30_000.25);
    expect(core.lockedOut()).toBe(false);

    core.setTime(NOW + 0.5);
    fake.advance(0.125);
    core.receiveCommand(command(1, pinAdd(7, '246810', { kind: PinKind.OneTime })));
    hw.keypad.press('246810#');
    expect(hw.compartments[0].lock.pulses).toHaveLength(1);
    expect(store.pin(7)?.spentMs).toSatisfy(Number.isInteger);
    core.stop();

    const events = store.pendingEvents(100);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        EventKind.LockoutStarted,
        EventKind.LockoutEnded,
        EventKind.ClockSet,
        EventKind.PinSpent,
        EventKind.Unlocked,
      ]),
    );
    for (const event of events) expect(event.timeMs).toSatisfy(Number.isInteger);
    expect(events.find((e) => e.event === EventKind.ClockSet)?.timeMs).toBe(NOW);
    expect(store.clockFloorMs()).toSatisfy(Number.isInteger);
    expect(store.clockFloorMs()).toBeGreaterThanOrEqual(NOW);
  });
});
