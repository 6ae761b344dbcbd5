import { afterEach, describe, expect, it } from 'vitest';
import { command, EventKind, NOW, pinAdd, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

describe('compartment flow', () => {
  it('an unlock, then door and key movements are journaled in order', () => {
    r = rig();
    r.core.setTime(NOW);
    r.core.receiveCommand(command(1, pinAdd(1, '135790', { compartment: 3 })));
    r.hw.keypad.press('135790#');
    const c3 = r.hw.compartments[2];
    r.hw.clock.advance(2000);
    c3.door.set(true);
    c3.key?.set(false);
    r.hw.clock.advance(5000);
    c3.door.set(false);
    const tail = r.events().slice(-5);
    expect(tail.map((e) => e.event)).toEqual([
      EventKind.PinAccepted,
      EventKind.Unlocked,
      EventKind.DoorOpened,
      EventKind.KeyRemoved,
      EventKind.DoorClosed,
    ]);
    expect(tail.every((e) => e.compartment === 3)).toBe(true);
    expect(tail[4].timeMs).toBe(NOW + 7000);
    c3.key?.set(true);
    expect(r.kinds().at(-1)).toBe(EventKind.KeyReturned);
    expect(r.kinds()).not.toContain(EventKind.Tamper);
  });

  it('a door opened without an unlock is TAMPER', () => {
    r = rig();
    r.hw.compartments[0].door.set(true);
    expect(r.kinds().slice(-2)).toEqual([EventKind.DoorOpened, EventKind.Tamper]);
  });

  it('a door opened after the unlock window is TAMPER, and one unlock admits one opening', () => {
    r = rig();
    r.core.setTime(NOW);
    const open = (id: number) =>
      r.core.receiveCommand(command(id, { command: 3, compartment: 1 }, { notAfterMs: NOW + 60_000 }));
    const door = r.hw.compartments[0].door;
    open(1);
    r.hw.clock.advance(10_001);
    door.set(true);
    expect(r.kinds().at(-1)).toBe(EventKind.Tamper);
    door.set(false);
    open(2);
    door.set(true);
    expect(r.kinds().at(-1)).toBe(EventKind.DoorOpened);
    door.set(false);
    door.set(true);
    expect(r.kinds().at(-1)).toBe(EventKind.Tamper);
  });

  it('a door left open past the alert time raises DOOR_LEFT_OPEN once per opening', () => {
    r = rig();
    const door = r.hw.compartments[1].door;
    door.set(true);
    r.hw.clock.advance(119_999);
    expect(r.kinds()).not.toContain(EventKind.DoorLeftOpen);
    r.hw.clock.advance(1);
    r.hw.clock.advance(600_000);
    expect(r.kinds().filter((k) => k === EventKind.DoorLeftOpen)).toHaveLength(1);
    door.set(false);
    door.set(true);
    r.hw.clock.advance(60_000);
    door.set(false);
    r.hw.clock.advance(600_000);
    expect(r.kinds().filter((k) => k === EventKind.DoorLeftOpen)).toHaveLength(1);
  });

  it('the link hears of fresh events right after they commit', async () => {
    r = rig();
    await Promise.resolve();
    const heard: number[] = [];
    r.core.onJournaled((events) => heard.push(...events.map((e) => e.event)));
    r.hw.compartments[0].door.set(true);
    expect(heard).toEqual([]);
    await Promise.resolve();
    expect(heard).toEqual([EventKind.DoorOpened, EventKind.Tamper]);
  });
});
