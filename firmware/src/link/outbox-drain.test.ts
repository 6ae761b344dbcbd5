import { EventKind, FrameKind } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { FakeDepotPort } from '../../test/support/fake-depot-port.js';
import { carriesUplink, fillTelegram } from './outbox-drain.js';

describe('fillTelegram', () => {
  it('starts a drain with STATUS, so the cloud sees doors and keys move with the events', () => {
    const depot = new FakeDepotPort();
    depot.journalEvent(EventKind.KeyRemoved);
    const drain = fillTelegram(depot, 'drain');
    expect(drain.frames.map((f) => f.kind)).toEqual([FrameKind.Status, FrameKind.Event]);
    expect(carriesUplink(drain)).toBe(true);
  });

  it('counts a drain with only STATUS as carrying nothing (it is not sent)', () => {
    expect(carriesUplink(fillTelegram(new FakeDepotPort(), 'drain'))).toBe(false);
  });

  it('keeps a keepalive to one KEEPALIVE frame when nothing is pending', () => {
    expect(fillTelegram(new FakeDepotPort(), 'keepalive').frames).toEqual([{ kind: FrameKind.Keepalive }]);
  });

  it('leaves out events a recent telegram still carries, oldest first', () => {
    const depot = new FakeDepotPort();
    const first = depot.journalEvent(EventKind.DoorOpened);
    depot.journalEvent(EventKind.DoorClosed);
    const drain = fillTelegram(depot, 'check-in', { held: (frame) => frame === first });
    expect(drain.frames.map((f) => f.kind)).toEqual([FrameKind.Status]);
    expect(drain.heldBack).toBe(1);
  });
});
