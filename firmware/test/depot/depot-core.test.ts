import { CommandStatus, EventKind, PinKind } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { command, NOW, pinAdd, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

describe('depot core: keypad to lock', () => {
  it('journals BOOT at start and opens the PIN’s compartment after journaling UNLOCKED', async () => {
    r = rig();
    expect(r.kinds()).toEqual([EventKind.Boot]);
    expect(r.core.receiveCommand(command(1, pinAdd(10, '123456', { compartment: 2 })))?.status).toBe(
      CommandStatus.Applied,
    );
    r.hw.keypad.press('123456#');
    expect(r.hw.compartments[1].lock.pulses).toEqual([3000]);
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
    expect(r.kinds()).toEqual([EventKind.Boot, EventKind.CommandApplied, EventKind.PinAccepted, EventKind.Unlocked]);
    expect(r.hw.keypad.shown).toBe('Fach 2 offen');
    expect(r.core.status().compartments[1].locked).toBe(false);
    let statusChanges = 0;
    r.core.onStatusChanged(() => statusChanges++);
    r.hw.clock.advance(3000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.core.status().compartments[1].locked).toBe(true);
    // Relocking journals nothing, so the core says the STATUS changed (the link then sends one).
    expect(statusChanges).toBe(1);
  });

  it('a one-time PIN opens once, then is refused as used', () => {
    r = rig();
    r.core.setTime(NOW);
    r.core.receiveCommand(command(1, pinAdd(11, '555666', { kind: PinKind.OneTime })));
    r.hw.keypad.press('555666#');
    r.hw.keypad.press('555666#');
    expect(r.hw.compartments[0].lock.pulses).toHaveLength(1);
    const tail = r.events().slice(-4);
    expect(tail.map((e) => e.event)).toEqual([
      EventKind.PinAccepted,
      EventKind.PinSpent,
      EventKind.Unlocked,
      EventKind.PinRejected,
    ]);
    expect(tail[3].subject).toBe('pin:11 spent');
    expect(r.hw.keypad.shown).toBe('PIN verbraucht');
  });

  it('status describes the depot', () => {
    r = rig({ compartments: 2 });
    r.hw.clock.advance(5_000);
    const status = r.core.status();
    expect(status).toMatchObject({
      uptimeSeconds: 5,
      lastCommandId: 0,
      outboxSize: 1,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: false,
      firmwareVersion: 'test-1',
    });
    expect(status.compartments).toEqual([
      { doorOpen: false, keyPresent: true, keySensor: true, locked: true },
      { doorOpen: false, keyPresent: true, keySensor: true, locked: true },
    ]);
  });
});

describe('depot core: keypad rhythm', () => {
  it('forgets typed digits after the keypad timeout (20 s by default)', () => {
    r = rig();
    r.core.receiveCommand(command(1, pinAdd(1, '123456')));
    r.hw.keypad.press('123');
    r.hw.clock.advance(19_999);
    r.hw.keypad.press('456');
    r.hw.clock.advance(20_000);
    expect(r.hw.keypad.shown).toBe('PIN eingeben');
    r.hw.keypad.press('#');
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
    expect(r.kinds()).not.toContain(EventKind.PinRejected);
  });

  it('a verdict stays on the display for a few seconds, then the prompt returns', () => {
    r = rig();
    r.hw.keypad.press('000000#');
    expect(r.hw.keypad.shown).toBe('Falsche PIN');
    expect(r.hw.keypad.beeps.at(-1)).toBe('error');
    expect(r.hw.keypad.leds.at(-1)).toBe('red');
    r.hw.clock.advance(4000);
    expect(r.hw.keypad.shown).toBe('PIN eingeben');
  });

  it('acks move the outbox; an ack for another epoch does nothing', () => {
    r = rig();
    r.hw.keypad.press('000000#');
    expect(r.core.pendingEvents(10).map((e) => e.sequence)).toEqual([1, 2]);
    r.core.acknowledgeEvents('0123456789abcdef', 2);
    expect(r.core.status().outboxSize).toBe(2);
    r.core.acknowledgeEvents(r.core.epoch, 1);
    expect(r.core.pendingEvents(10).map((e) => e.sequence)).toEqual([2]);
  });
});
