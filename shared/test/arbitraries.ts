import fc from 'fast-check';
import { MAX_COMPARTMENTS, MAX_PIN_DIGITS, MIN_PIN_DIGITS } from '../src/constants.js';
import {
  type CommandBody,
  CommandKind,
  CommandStatus,
  EventKind,
  type Frame,
  FrameKind,
  PinKind,
} from '../src/frames.js';
import { OFFLINE_DURATION_HOURS, OFFLINE_VARIANTS } from '../src/offline-pin.js';

/** fast-check generators for every frame kind, within the wire's value ranges. */

const u32 = fc.nat({ max: 0xffff_ffff });
const time = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const epoch = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex'));
const compartment = fc.integer({ min: 1, max: MAX_COMPARTMENTS });
/** Strings whose UTF-8 form is at most `max` bytes. */
const text = (max: number) =>
  fc.string({ unit: 'grapheme', maxLength: max }).filter((s) => Buffer.byteLength(s) <= max);
const digits = fc.stringMatching(new RegExp(`^[0-9]{${MIN_PIN_DIGITS},${MAX_PIN_DIGITS}}$`));

const commandBody: fc.Arbitrary<CommandBody> = fc.oneof(
  fc
    .record({
      pinId: u32,
      pinKind: fc.constantFrom(...Object.values(PinKind)),
      compartment,
      digits,
      window: fc.tuple(time, time).map(([a, b]) => (a <= b ? [a, b] : [b, 0])),
      schedule: fc.array(
        fc
          .tuple(fc.integer({ min: 1, max: 127 }), fc.nat({ max: 1439 }), fc.integer({ min: 1, max: 1440 }))
          .filter(([, start, end]) => start < end)
          .map(([days, startMinute, endMinute]) => ({ days, startMinute, endMinute })),
        { minLength: 1, maxLength: 14 },
      ),
    })
    // Only a recurring PIN carries a schedule, and it always does.
    .map(({ window: [validFromMs, validUntilMs], schedule, ...rest }) => ({
      command: CommandKind.PinAdd,
      ...rest,
      validFromMs,
      validUntilMs,
      schedule: rest.pinKind === PinKind.RecurringWeekly ? schedule : [],
    })),
  fc.record({ command: fc.constant(CommandKind.PinRevoke), pinId: u32 }),
  fc.record({
    command: fc.constant(CommandKind.PinRevoke),
    pinId: u32,
    offline: fc.record({
      compartment,
      startHour: u32,
      durationCode: fc.nat({ max: OFFLINE_DURATION_HOURS.length - 1 }),
      variant: fc.nat({ max: OFFLINE_VARIANTS - 1 }),
    }),
  }),
  fc.record({ command: fc.constant(CommandKind.Open), compartment }),
  fc.record({ command: fc.constant(CommandKind.LockoutReset) }),
  fc.record({
    command: fc.constant(CommandKind.Config),
    settings: fc.dictionary(
      fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()),
      { maxKeys: 5 },
    ),
  }),
);

export const arbitraryFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    kind: fc.constant(FrameKind.Event),
    epoch,
    sequence: u32,
    timeMs: time,
    event: fc.constantFrom(...Object.values(EventKind)),
    compartment: fc.nat({ max: MAX_COMPARTMENTS }),
    subject: text(64),
  }),
  fc.record({ kind: fc.constant(FrameKind.EventAck), epoch, sequence: u32 }),
  fc
    .record({
      id: fc.integer({ min: 1, max: 0xffff_ffff }),
      back: fc.nat({ max: 5 }),
      notAfterMs: time,
      body: commandBody,
    })
    .map(({ id, back, ...rest }) => ({
      kind: FrameKind.Command,
      id,
      previousId: Math.max(0, id - 1 - back),
      ...rest,
    })),
  fc.record({
    kind: fc.constant(FrameKind.CommandResult),
    id: u32,
    status: fc.constantFrom(...Object.values(CommandStatus)),
    detail: text(64),
  }),
  fc.record({
    kind: fc.constant(FrameKind.Status),
    uptimeSeconds: u32,
    lastCommandId: u32,
    outboxSize: u32,
    lockoutUntilMs: time,
    failedAttempts: fc.nat({ max: 255 }),
    clockKnown: fc.boolean(),
    firmwareVersion: text(32),
    compartments: fc.array(
      fc.record({ doorOpen: fc.boolean(), keyPresent: fc.boolean(), keySensor: fc.boolean(), locked: fc.boolean() }),
      { maxLength: MAX_COMPARTMENTS },
    ),
  }),
  fc.record({ kind: fc.constant(FrameKind.Time), nowMs: time }),
  fc.constant({ kind: FrameKind.Keepalive }),
);
