import { existsSync, readFileSync } from 'node:fs';
import { CommandStatus, EventKind, PinKind } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { pinMac } from '../../src/depot/pin-verdict.js';
import { command, NOW, PIN_KEY, pinAdd, type Rig, rig } from './harness.js';

let r: Rig;
afterEach(() => r?.close());

describe('commands', () => {
  it('a duplicate is not applied again and answers its stored result', () => {
    r = rig();
    r.core.setTime(NOW);
    const open = command(1, { command: 3, compartment: 1 }, { notAfterMs: NOW + 30_000 });
    const first = r.core.receiveCommand(open);
    expect(first).toMatchObject({ id: 1, status: CommandStatus.Applied });
    expect(r.core.receiveCommand(open)).toEqual(first);
    expect(r.hw.compartments[0].lock.pulses).toHaveLength(1);
    expect(r.kinds().filter((k) => k === EventKind.Unlocked)).toHaveLength(1);
    expect(r.core.status().lastCommandId).toBe(1);
  });

  it('out of order: an early command is dropped, then applied in order when it comes again', () => {
    r = rig();
    const add = command(1, pinAdd(7, '111222'));
    const revoke = command(2, { command: 2, pinId: 7 });
    expect(r.core.receiveCommand(revoke)).toBeUndefined();
    expect(r.core.status().lastCommandId).toBe(0);
    expect(r.core.receiveCommand(add)?.status).toBe(CommandStatus.Applied);
    expect(r.core.receiveCommand(revoke)?.status).toBe(CommandStatus.Applied);
    r.hw.keypad.press('111222#');
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
    expect(r.core.pendingResults().map((x) => x.id)).toEqual([1, 2]);
  });

  it('a command that follows one expired in the cloud (previous id skips a gap) is next', () => {
    r = rig();
    r.core.receiveCommand(command(1, pinAdd(7, '111222')));
    expect(r.core.receiveCommand(command(5, { command: 4 }, { previousId: 1 }))?.status).toBe(CommandStatus.Applied);
    expect(r.core.status().lastCommandId).toBe(5);
  });

  it('expired: a not-after in the past is EXPIRED, not applied, and the id counts as handled', () => {
    r = rig();
    r.core.setTime(NOW);
    const result = r.core.receiveCommand(command(1, pinAdd(3, '999888'), { notAfterMs: NOW - 1 }));
    expect(result).toMatchObject({ status: CommandStatus.Expired });
    expect(r.core.status().lastCommandId).toBe(1);
    r.hw.keypad.press('999888#');
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
    expect(r.core.receiveCommand(command(2, { command: 4 }))?.status).toBe(CommandStatus.Applied);
  });

  it('revoke before add: an unknown id is revoked idempotently and a late add of it is refused', () => {
    r = rig();
    expect(r.core.receiveCommand(command(1, { command: 2, pinId: 42 }))).toMatchObject({
      status: CommandStatus.Applied,
      detail: 'unknown pin id',
    });
    expect(r.core.receiveCommand(command(2, { command: 2, pinId: 42 }))?.status).toBe(CommandStatus.Applied);
    expect(r.core.receiveCommand(command(3, pinAdd(42, '424242')))?.status).toBe(CommandStatus.Rejected);
    r.hw.keypad.press('424242#');
    expect(r.hw.compartments[0].lock.pulses).toEqual([]);
  });

  it('OPEN is refused without a clock, without a not-after, or past it', () => {
    r = rig();
    const open = (id: number, notAfterMs: number) =>
      r.core.receiveCommand(command(id, { command: 3, compartment: 2 }, { notAfterMs }));
    expect(open(1, NOW + 30_000)).toMatchObject({ status: CommandStatus.Rejected, detail: 'clock unknown' });
    r.core.setTime(NOW);
    expect(open(2, 0)).toMatchObject({ status: CommandStatus.Rejected });
    expect(open(3, NOW - 1)).toMatchObject({ status: CommandStatus.Expired });
    expect(open(4, NOW + 3_600_000)).toMatchObject({ status: CommandStatus.Rejected });
    expect(r.hw.compartments[1].lock.pulses).toEqual([]);
    expect(open(5, NOW + 60_000)).toMatchObject({ status: CommandStatus.Applied });
    expect(r.hw.compartments[1].lock.pulses).toHaveLength(1);
    const unlocked = r.events().find((e) => e.event === EventKind.Unlocked);
    expect(unlocked).toMatchObject({ compartment: 2, subject: 'cmd:5', timeMs: NOW });
  });

  it('PIN_ADD stores a MAC, never the digits', () => {
    r = rig();
    r.core.receiveCommand(command(1, pinAdd(9, '864213', { kind: PinKind.OneTime })));
    const files = [r.path, `${r.path}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    expect(files.join('')).not.toContain('864213');
    expect(r.store.pinsByMac(pinMac(PIN_KEY, '864213')).map((p) => p.id)).toEqual([9]);
  });

  it('CONFIG: known keys apply (language switches the display); an unknown key rejects all', () => {
    r = rig();
    expect(r.core.receiveCommand(command(1, { command: 5, settings: { language: 'en', bogus: 1 } }))).toMatchObject({
      status: CommandStatus.Rejected,
      detail: 'unknown key bogus',
    });
    expect(r.core.settings().language).toBe('de');
    expect(
      r.core.receiveCommand(command(2, { command: 5, settings: { language: 'en', doorOpenAlertSeconds: 30 } }))?.status,
    ).toBe(CommandStatus.Applied);
    expect(r.core.settings()).toMatchObject({ language: 'en', doorOpenAlertSeconds: 30 });
    r.hw.keypad.press('1');
    expect(r.hw.keypad.shown).toBe('Enter PIN *');
    expect(r.core.receiveCommand(command(3, { command: 5, settings: { timeZone: 'Mars/Olympus' } }))?.status).toBe(
      CommandStatus.Rejected,
    );
    r = r.restart();
    expect(r.core.settings().language).toBe('en');
  });

  it('results stay pending until confirmed; a repeat still answers after confirmation', () => {
    r = rig();
    const reset = command(1, { command: 4 });
    r.core.receiveCommand(reset);
    expect(r.core.pendingResults()).toHaveLength(1);
    r.core.confirmResults([1]);
    expect(r.core.pendingResults()).toEqual([]);
    expect(r.core.receiveCommand(reset)?.status).toBe(CommandStatus.Applied);
  });
});
