import { afterEach, describe, expect, it } from 'vitest';
import { EventKind, NOW, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

describe('trusted clock in the depot', () => {
  it('events carry time 0 until the first TIME, then trusted time; CLOCK_SET on set and on big corrections', () => {
    r = rig();
    expect(r.events()[0]).toMatchObject({ event: EventKind.Boot, timeMs: 0 });
    r.core.setTime(NOW);
    expect(r.events().at(-1)).toMatchObject({ event: EventKind.ClockSet, timeMs: NOW, subject: 'set' });
    r.hw.clock.advance(20_000);
    r.core.setTime(NOW + 20_050);
    expect(r.kinds().filter((k) => k === EventKind.ClockSet)).toHaveLength(1);
    r.core.setTime(NOW + 200_000);
    expect(r.events().at(-1)).toMatchObject({ event: EventKind.ClockSet, subject: 'corrected 180 s' });
    expect(r.core.status().clockKnown).toBe(true);
  });

  it('after a reboot the clock is unknown again, but never below the floor on disk', () => {
    r = rig();
    r.core.setTime(NOW);
    r.hw.clock.advance(90_000);
    r = r.restart();
    expect(r.core.clockKnown()).toBe(false);
    expect(r.store.clockFloorMs()).toBeGreaterThanOrEqual(NOW + 90_000);
    // A relay that answers with an older time cannot pull journaled times back.
    r.core.setTime(NOW);
    expect(r.events().at(-1)?.timeMs).toBeGreaterThanOrEqual(NOW + 90_000);
  });
});
