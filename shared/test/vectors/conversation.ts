/** The transport section's script: who says what to whom, in order, over the vector session. */
import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  EventKind,
  type Frame,
  FrameKind,
  MAX_OPEN_VALIDITY_MS,
  PinKind,
} from '../../src/index.js';
import { FIXED, HOUR_MS, T } from './fixed-keys.js';

/** One telegram of the conversation; `counter` set = sealed by hand at that counter instead of by the session. */
export interface ConversationLine {
  readonly note: string;
  readonly sender: 'depot' | 'relay';
  readonly counter?: number;
  readonly frames: Frame[];
}

export function conversation(): ConversationLine[] {
  const epoch = FIXED.journalEpoch;
  const event = (sequence: number, timeMs: number, kind: EventKind, compartment: number, subject = ''): Frame => ({
    kind: FrameKind.Event,
    epoch,
    sequence,
    timeMs,
    event: kind,
    compartment,
    subject,
  });
  const ack = (sequence: number): Frame => ({ kind: FrameKind.EventAck, epoch, sequence });
  const time = (nowMs: number): Frame => ({ kind: FrameKind.Time, nowMs });
  const result = (id: number, status: CommandStatus, detail = ''): Frame => ({
    kind: FrameKind.CommandResult,
    id,
    status,
    detail,
  });
  const closed = { doorOpen: false, keyPresent: true, keySensor: true, locked: true };
  const command = (id: number, body: CommandBody, notAfterMs = 0, previousId = id - 1): Frame => ({
    kind: FrameKind.Command,
    id,
    previousId,
    notAfterMs,
    body,
  });
  const pinAdd = (id: number, pinId: number, pinKind: PinKind, compartment: number, digits: string, from = 0) =>
    command(id, {
      command: CommandKind.PinAdd,
      pinId,
      pinKind,
      compartment,
      digits,
      validFromMs: from,
      validUntilMs: from === 0 ? 0 : from + 72 * HOUR_MS,
      schedule:
        pinKind === PinKind.RecurringWeekly
          ? [
              { days: 0b0011111, startMinute: 7 * 60, endMinute: 19 * 60 },
              { days: 0b0100000, startMinute: 8 * 60, endMinute: 12 * 60 },
            ]
          : [],
    });
  return [
    {
      note: 'check-in after boot, clock unknown: STATUS and two journaled events',
      sender: 'depot',
      frames: [
        {
          kind: FrameKind.Status,
          uptimeSeconds: 42,
          lastCommandId: 0,
          outboxSize: 2,
          lockoutUntilMs: 0,
          failedAttempts: 0,
          clockKnown: false,
          firmwareVersion: '0.1.0',
          compartments: [
            closed,
            { doorOpen: false, keyPresent: false, keySensor: true, locked: true },
            { doorOpen: true, keyPresent: false, keySensor: false, locked: false },
            { doorOpen: false, keyPresent: false, keySensor: false, locked: true },
          ],
        },
        event(1, 0, EventKind.Boot, 0),
        event(2, 0, EventKind.DoorClosed, 3),
      ],
    },
    {
      note: 'reply: TIME, cumulative EVENT_ACK, four PIN_ADD commands (one of each PIN kind)',
      sender: 'relay',
      frames: [
        time(T + 120),
        ack(2),
        pinAdd(1, 1001, PinKind.TimeWindow, 2, '48201937', T),
        pinAdd(2, 1002, PinKind.RecurringWeekly, 1, '615204'),
        pinAdd(3, 1003, PinKind.OneTime, 4, '90817263', T),
        pinAdd(4, 1004, PinKind.Permanent, 1, '246813579024'),
      ],
    },
    {
      note: 'results of commands 1-4 and two events (clock set, command applied)',
      sender: 'depot',
      frames: [
        result(1, CommandStatus.Applied),
        result(2, CommandStatus.Applied),
        result(3, CommandStatus.Applied),
        result(4, CommandStatus.Applied),
        event(3, T + 150, EventKind.ClockSet, 0, 'relay'),
        event(4, T + 151, EventKind.CommandApplied, 0, 'command:4'),
      ],
    },
    {
      note: 'reply: TIME, EVENT_ACK, PIN_REVOKE without and with offline slot, LOCKOUT_RESET, CONFIG',
      sender: 'relay',
      frames: [
        time(T + 1_000),
        ack(4),
        command(5, { command: CommandKind.PinRevoke, pinId: 1003 }),
        command(6, {
          command: CommandKind.PinRevoke,
          pinId: 2001,
          offline: { compartment: 2, startHour: T / HOUR_MS, durationCode: 4, variant: 1 },
        }),
        command(7, { command: CommandKind.LockoutReset }),
        command(8, {
          command: CommandKind.Config,
          settings: { language: 'de', doorOpenAlertSeconds: 120, beep: true },
        }),
      ],
    },
    {
      note: 'keepalive 22 s later (NAT mapping, ready for pushes)',
      sender: 'depot',
      frames: [{ kind: FrameKind.Keepalive }],
    },
    {
      note: 'push: TIME and a remote OPEN valid for 60 s; command 9 expired in the queue unsent, so previousId 8 skips it',
      sender: 'relay',
      frames: [
        time(T + 23_000),
        command(10, { command: CommandKind.Open, compartment: 2 }, T + 23_000 + MAX_OPEN_VALIDITY_MS, 8),
      ],
    },
    {
      note: 'results of commands 5-8 and 10, and the events of the remote open (UTF-8 subject)',
      sender: 'depot',
      frames: [
        result(5, CommandStatus.Applied),
        result(6, CommandStatus.Applied),
        result(7, CommandStatus.Applied),
        result(8, CommandStatus.Rejected, 'unknown setting: beep'),
        result(10, CommandStatus.Applied, 'opened'),
        event(5, T + 23_210, EventKind.Unlocked, 2, 'command:10'),
        event(6, T + 24_020, EventKind.DoorOpened, 2),
        event(7, T + 26_500, EventKind.KeyRemoved, 2, 'Schlüssel Nr. 2'),
      ],
    },
    { note: 'reply: TIME, EVENT_ACK', sender: 'relay', frames: [time(T + 26_800), ack(7)] },
    {
      note: 'as from a session that has sent 2^32 telegrams: counter low word 0, high word 1',
      sender: 'depot',
      counter: 2 ** 32,
      frames: [
        result(10, CommandStatus.Expired, 'not-after passed'),
        result(11, CommandStatus.Failed, 'lock did not confirm'),
        event(8, T + 30_000, EventKind.PinRejected, 0),
        event(9, T + 30_500, EventKind.LockoutStarted, 0),
        {
          kind: FrameKind.Status,
          uptimeSeconds: 4_000_000_000,
          lastCommandId: 11,
          outboxSize: 2,
          lockoutUntilMs: T + 60_000,
          failedAttempts: 5,
          clockKnown: true,
          firmwareVersion: '0.1.0',
          compartments: [closed, closed, closed, closed],
        },
      ],
    },
    {
      note: 'as from a session that has sent 2^32 + 1 telegrams',
      sender: 'relay',
      counter: 2 ** 32 + 1,
      frames: [time(T + 31_000), ack(9)],
    },
  ];
}
