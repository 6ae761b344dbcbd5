import { CommandKind, CommandStatus, EventKind, type Frame, FrameKind, type StatusFrame } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { claimedCommands, screenFrames } from './uplink-rules.js';

const status = (lastCommandId: number, compartments: number): StatusFrame => ({
  kind: FrameKind.Status,
  uptimeSeconds: 1,
  lastCommandId,
  outboxSize: 0,
  lockoutUntilMs: 0,
  failedAttempts: 0,
  clockKnown: true,
  firmwareVersion: 'x',
  compartments: Array.from({ length: compartments }, () => ({
    doorOpen: false,
    keyPresent: false,
    keySensor: false,
    locked: true,
  })),
});
const result = (id: number): Frame => ({
  kind: FrameKind.CommandResult,
  id,
  status: CommandStatus.Applied,
  detail: '',
});
const event = (compartment: number): Frame => ({
  kind: FrameKind.Event,
  epoch: '0011223344556677',
  sequence: 1,
  timeMs: 0,
  event: EventKind.DoorOpened,
  compartment,
  subject: '',
});
const limits = { compartments: 4, lastIssuedCommand: 5 };
/** Commands 1-5 issued; 3 is still queued (never sent). */
const sent = (id: number) => id >= 1 && id <= 5 && id !== 3;

describe('screenFrames', () => {
  it('keeps every frame of an honest telegram', () => {
    const frames = [status(5, 4), event(4), event(0), result(5), result(1), { kind: FrameKind.Keepalive } as Frame];
    expect(screenFrames(1, frames, limits, sent)).toEqual({ frames, violations: [] });
  });

  it('drops results for commands never sent (0, above the last issued, still queued) and a STATUS claiming one', () => {
    const { frames, violations } = screenFrames(
      7,
      [status(6, 4), result(0), result(6), result(3), result(5)],
      limits,
      sent,
    );
    expect(frames).toEqual([result(5)]);
    expect(violations).toEqual([
      { depotId: 7, reason: 'last-applied', value: 6, limit: 5 },
      { depotId: 7, reason: 'unknown-command', value: 0, limit: 5 },
      { depotId: 7, reason: 'unknown-command', value: 6, limit: 5 },
      { depotId: 7, reason: 'unknown-command', value: 3, limit: 5 },
    ]);
    expect(screenFrames(7, [status(3, 4)], limits, sent).violations.map((v) => v.reason)).toEqual(['last-applied']);
  });

  it('drops a STATUS whose compartment count is not the provisioned one, more or fewer', () => {
    for (const count of [0, 3, 5, 64]) {
      const { frames, violations } = screenFrames(1, [status(0, count)], limits, sent);
      expect(frames).toEqual([]);
      expect(violations).toEqual([{ depotId: 1, reason: 'compartment-count', value: count, limit: 4 }]);
    }
  });

  it('stores an event in an unprovisioned compartment but reports it', () => {
    expect(screenFrames(1, [event(5)], limits, sent)).toEqual({
      frames: [event(5)],
      violations: [{ depotId: 1, reason: 'event-compartment', value: 5, limit: 4 }],
    });
  });

  it('drops the frame kinds only the relay sends, also without limits', () => {
    const relayOnly: Frame[] = [
      { kind: FrameKind.Time, nowMs: 1 },
      { kind: FrameKind.EventAck, epoch: '0011223344556677', sequence: 1 },
      { kind: FrameKind.Command, id: 1, previousId: 0, notAfterMs: 0, body: { command: CommandKind.LockoutReset } },
    ];
    const { frames, violations } = screenFrames(1, [...relayOnly, result(99)], undefined, sent);
    expect(frames).toEqual([result(99)]);
    expect(violations.map((v) => [v.reason, v.value])).toEqual([
      ['wrong-direction', FrameKind.Time],
      ['wrong-direction', FrameKind.EventAck],
      ['wrong-direction', FrameKind.Command],
    ]);
  });
});

describe('claimedCommands', () => {
  it('names every result id and a last applied id not already known to have been sent', () => {
    expect(claimedCommands([status(5, 4), result(4), result(0), event(1)], undefined)).toEqual([5, 4]);
    expect(claimedCommands([status(5, 4)], 5)).toEqual([]);
    expect(claimedCommands([status(0, 4), { kind: FrameKind.Keepalive }], undefined)).toEqual([]);
  });
});
