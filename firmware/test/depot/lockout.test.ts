import { afterEach, describe, expect, it } from 'vitest';
import { command, EventKind, NOW, pinAdd, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

const wrong = (rig: Rig, times = 1) => {
  for (let i = 0; i < times; i++) rig.hw.keypad.press('000000#');
};

describe('keypad lockout, end to end', () => {
  it('5 free tries, then 30 s during which PINs are not even checked, then LOCKOUT_ENDED', () => {
    r = rig();
    r.core.receiveCommand(command(1, pinAdd(1, '246810')));
    wrong(r, 4);
    expect(r.core.lockedOut()).toBe(false);
    expect(r.hw.keypad.shown).toBe('Falsche PIN');
    wrong(r);
    expect(r.core.lockedOut()).toBe(true);
    expect(r.kinds().slice(-2)).toEqual([EventKind.PinRejected, EventKind.LockoutStarted]);
    expect(r.hw.keypad.shown).toBe('Gesperrt 30 s');
    const journaled = r.events().length;
    r.hw.clock.advance(10_000);
    r.hw.keypad.press('246810#');
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
    expect(r.events()).toHaveLength(journaled);
    expect(r.hw.keypad.shown).toBe('Gesperrt 20 s');
    r.hw.clock.advance(20_000);
    expect(r.kinds().at(-1)).toBe(EventKind.LockoutEnded);
    expect(r.core.status()).toMatchObject({ lockoutUntilMs: 0, failedAttempts: 5 });
  });

  it('each further wrong PIN doubles the lockout, capped at 1 h', () => {
    r = rig();
    wrong(r, 5);
    const lengths: string[] = [];
    for (let i = 0; i < 9; i++) {
      r.hw.clock.advance(3_600_000);
      wrong(r);
      lengths.push(r.events().at(-1)?.subject ?? '');
    }
    expect(lengths).toEqual(['60 s', '120 s', '240 s', '480 s', '960 s', '1920 s', '3600 s', '3600 s', '3600 s']);
  });

  it('a correct PIN after a lockout resets the counter', () => {
    r = rig();
    r.core.receiveCommand(command(1, pinAdd(1, '246810')));
    wrong(r, 5);
    r.hw.clock.advance(30_000);
    r.hw.keypad.press('246810#');
    expect(r.hw.compartments[0].lock.pulses).toHaveLength(1);
    expect(r.core.status()).toMatchObject({ failedAttempts: 0, lockoutUntilMs: 0 });
    wrong(r, 4);
    expect(r.core.lockedOut()).toBe(false);
  });

  it('LOCKOUT_RESET ends a running lockout at once', () => {
    r = rig();
    wrong(r, 5);
    expect(r.core.lockedOut()).toBe(true);
    r.core.receiveCommand(command(1, { command: 4 }));
    expect(r.core.lockedOut()).toBe(false);
    expect(r.kinds().slice(-2)).toEqual([EventKind.LockoutEnded, EventKind.CommandApplied]);
    expect(r.core.status().failedAttempts).toBe(0);
  });

  it('survives a restart: the counter and the running lockout persist', () => {
    r = rig();
    r.core.setTime(NOW);
    wrong(r, 3);
    r = r.restart();
    expect(r.core.status().failedAttempts).toBe(3);
    wrong(r, 2);
    expect(r.core.lockedOut()).toBe(true);
    r = r.restart();
    // Clock unknown after the reboot: the floor still times the lockout, it cannot be skipped by a power cut.
    expect(r.core.clockKnown()).toBe(false);
    expect(r.core.lockedOut()).toBe(true);
    expect(r.core.status().failedAttempts).toBe(5);
    r.hw.clock.advance(30_000);
    expect(r.core.lockedOut()).toBe(false);
    expect(r.kinds().at(-1)).toBe(EventKind.LockoutEnded);
  });

  it('an ambiguous or clock-unknown refusal does not count', () => {
    r = rig();
    for (let i = 0; i < 6; i++) r.hw.keypad.press('123456789#');
    expect(r.core.status().failedAttempts).toBe(0);
    expect(r.hw.keypad.shown).toBe('Uhrzeit unbekannt');
  });
});
