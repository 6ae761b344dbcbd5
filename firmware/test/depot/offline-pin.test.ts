import { EventKind, HOUR_MS, offlinePin } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { command, DEPOT_ID, NOW, OFFLINE_KEY, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

const slot = { compartment: 2, startHour: Math.floor(NOW / HOUR_MS) - 1, durationCode: 2, variant: 1 };
const pin = offlinePin(OFFLINE_KEY, DEPOT_ID, slot);

describe('offline PINs at the depot', () => {
  it('a valid offline PIN opens its compartment', () => {
    r = rig();
    r.core.setTime(NOW);
    r.hw.keypad.press(`${pin}#`);
    expect(r.hw.compartments[1].lock.pulses).toHaveLength(1);
    expect(r.events().find((e) => e.event === EventKind.PinAccepted)?.subject).toBe(`offline:2/${slot.startHour}/2/1`);
  });

  it('is refused while the clock is unknown, and after its validity', () => {
    r = rig();
    r.hw.keypad.press(`${pin}#`);
    expect(r.hw.keypad.shown).toBe('Uhrzeit unbekannt');
    r.core.setTime((slot.startHour + 4) * HOUR_MS);
    r.hw.keypad.press(`${pin}#`);
    expect(r.hw.compartments[1].lock.pulses).toEqual([]);
    expect(r.core.status().failedAttempts).toBe(1);
  });

  it('a revoked slot is refused', () => {
    r = rig();
    r.core.setTime(NOW);
    r.core.receiveCommand(command(1, { command: 2, pinId: 0, offline: slot }));
    r.hw.keypad.press(`${pin}#`);
    expect(r.hw.compartments[1].lock.pulses).toEqual([]);
    expect(r.events().at(-1)?.subject).toBe(`offline:2/${slot.startHour}/2/1 revoked`);
  });
});
