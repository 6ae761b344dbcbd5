import { describe, expect, it } from 'vitest';
import { createSimulatedHardware } from './hardware.js';

describe('createSimulatedHardware', () => {
  it('builds numbered compartments with key sensors where asked', () => {
    const hw = createSimulatedHardware({ compartments: 3, keySensors: [2] });
    expect(hw.compartments.map((c) => c.number)).toEqual([1, 2, 3]);
    expect(hw.compartments.map((c) => c.key !== undefined)).toEqual([false, true, false]);
    expect(hw.compartment(2).key?.read()).toBe(true);
    expect(() => hw.compartment(4)).toThrow(RangeError);
  });

  it('records pulses and unlocks only while the relay is energised', async () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const lock = hw.compartment(1).lock;
    const states: boolean[] = [];
    lock.onStateChange((locked) => states.push(locked));
    let released = false;
    const pulse = lock.pulse(1_000).then(() => {
      released = true;
    });
    expect(lock.locked).toBe(false);
    hw.clock.advance(999);
    expect(lock.locked).toBe(false);
    hw.clock.advance(1);
    await pulse;
    expect(released).toBe(true);
    expect(lock.locked).toBe(true);
    expect(states).toEqual([false, true]);
    expect(lock.pulses).toEqual([{ atMs: 0, durationMs: 1_000 }]);
  });

  it('lets a pulse during a pulse share it without extending it, and resolves both', async () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const lock = hw.compartment(1).lock;
    const first = lock.pulse(1_000);
    hw.clock.advance(600);
    const second = lock.pulse(1_000);
    hw.clock.advance(399);
    expect(lock.locked).toBe(false);
    hw.clock.advance(1);
    await Promise.all([first, second]);
    expect(lock.locked).toBe(true);
    expect(lock.pulses).toEqual([{ atMs: 0, durationMs: 1_000 }]);
  });

  it('records a pulse cut short by release()', async () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const lock = hw.compartment(1).lock;
    const pulse = lock.pulse(1_000);
    hw.clock.advance(200);
    lock.release();
    await pulse;
    expect(lock.pulses[0]?.cutShortAtMs).toBe(200);
    expect(hw.clock.pendingTimers).toBe(0);
  });

  it('rejects a pulse set up to fail, without unlocking', async () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const lock = hw.compartment(1).lock;
    lock.failNextPulse(new Error('relay driver fault'));
    await expect(lock.pulse(500)).rejects.toThrow('relay driver fault');
    expect(lock.locked).toBe(true);
    expect(lock.pulses).toEqual([]);
  });

  it('opens a door only while unlocked, unless forced', () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const c = hw.compartment(1);
    const doorChanges: boolean[] = [];
    c.door.onChange((open) => doorChanges.push(open));
    expect(c.openDoor()).toBe(false);
    expect(c.door.read()).toBe(false);
    void c.lock.pulse(1_000);
    expect(c.openDoor()).toBe(true);
    hw.clock.advance(1_000);
    expect(c.door.read()).toBe(true); // a strike holds nothing once the door is open
    c.closeDoor();
    expect(c.openDoor({ force: true })).toBe(true);
    expect(c.forcedOpenings).toBe(1);
    expect(doorChanges).toEqual([true, false, true]);
  });

  it('takes and returns keys only through an open door', () => {
    const hw = createSimulatedHardware({ compartments: 1 });
    const c = hw.compartment(1);
    expect(c.takeKey()).toBe(false);
    c.openDoor({ force: true });
    expect(c.takeKey()).toBe(true);
    expect(c.key?.read()).toBe(false);
    expect(c.takeKey()).toBe(false);
    expect(c.returnKey()).toBe(true);
    expect(c.key?.read()).toBe(true);
  });

  it('debounces sensor changes through the clock when asked', () => {
    const hw = createSimulatedHardware({ compartments: 1, debounceMs: 50 });
    const door = hw.compartment(1).door;
    door.set(true);
    door.set(false);
    door.set(true);
    expect(door.read()).toBe(false);
    hw.clock.advance(50);
    expect(door.read()).toBe(true);
  });

  it('shows keypad output as the board would and delivers typed keys', () => {
    const hw = createSimulatedHardware();
    const keys: string[] = [];
    const off = hw.keypad.onKey((key) => keys.push(key));
    hw.keypad.type('12#');
    hw.keypad.display('Fach 3 geöffnet, bitte schließen', 'Schlüssel: ÄÖÜ');
    hw.keypad.beep('ok');
    hw.keypad.led('green');
    expect(keys).toEqual(['1', '2', '#']);
    expect(hw.keypad.lines).toEqual(['Fach 3 geoeffnet', 'Schluessel: AeOe']);
    expect(hw.keypad.beeps).toEqual(['ok']);
    expect(hw.keypad.ledColour).toBe('green');
    expect(() => hw.keypad.type('12a')).toThrow(RangeError);
    off();
    expect(hw.keypad.listenerCount).toBe(0);
  });

  it('releases every lock on close', async () => {
    const hw = createSimulatedHardware({ compartments: 2 });
    const pulses = hw.compartments.map((c) => c.lock.pulse(10_000));
    await hw.close();
    await Promise.all(pulses);
    expect(hw.compartments.every((c) => c.lock.locked)).toBe(true);
    expect(hw.closed).toBe(true);
  });
});
