import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryFrame } from '../test/arbitraries.js';
import { MAX_FRAMES_PER_TELEGRAM, MAX_PLAINTEXT_BYTES } from './constants.js';
import { isProtocolError, ProtocolError } from './errors.js';
import { decodeFrames, encodeFrame, encodeFrames, packFrames } from './frame-codec.js';
import { CommandKind, CommandStatus, EventKind, type Frame, FrameKind, type PinAddBody, PinKind } from './frames.js';

const event = (sequence: number, subject = 'pin:42'): Frame => ({
  kind: FrameKind.Event,
  epoch: '0123456789abcdef',
  sequence,
  timeMs: 1_764_288_000_000 + sequence,
  event: EventKind.KeyRemoved,
  compartment: 3,
  subject,
});

/** A PIN_ADD command for a valid time-window PIN, with `over` changed. */
const pinAdd = (over: Partial<PinAddBody>): Frame => ({
  kind: FrameKind.Command,
  id: 1,
  previousId: 0,
  notAfterMs: 0,
  body: {
    command: CommandKind.PinAdd,
    pinId: 1,
    pinKind: PinKind.TimeWindow,
    compartment: 1,
    digits: '123456',
    validFromMs: 2000,
    validUntilMs: 3000,
    schedule: [],
    ...over,
  },
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isProtocolError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('frame codec', () => {
  it('round-trips every frame kind', () => {
    const frames: Frame[] = [
      event(1),
      { kind: FrameKind.EventAck, epoch: 'ffffffffffffffff', sequence: 4_294_967_295 },
      {
        kind: FrameKind.Command,
        id: 7,
        previousId: 6,
        notAfterMs: 0,
        body: {
          command: CommandKind.PinAdd,
          pinId: 99,
          pinKind: PinKind.RecurringWeekly,
          compartment: 2,
          digits: '482910',
          validFromMs: 1_764_288_000_000,
          validUntilMs: 1_766_880_000_000,
          schedule: [{ days: 0b0011111, startMinute: 7 * 60, endMinute: 19 * 60 }],
        },
      },
      {
        kind: FrameKind.Command,
        id: 8,
        previousId: 7,
        notAfterMs: 5,
        body: { command: CommandKind.PinRevoke, pinId: 99 },
      },
      {
        kind: FrameKind.Command,
        id: 9,
        previousId: 8,
        notAfterMs: 0,
        body: {
          command: CommandKind.PinRevoke,
          pinId: 100,
          offline: { compartment: 1, startHour: 490_080, durationCode: 4, variant: 3 },
        },
      },
      {
        kind: FrameKind.Command,
        id: 10,
        previousId: 9,
        notAfterMs: 6,
        body: { command: CommandKind.Open, compartment: 6 },
      },
      { kind: FrameKind.Command, id: 11, previousId: 10, notAfterMs: 0, body: { command: CommandKind.LockoutReset } },
      {
        kind: FrameKind.Command,
        id: 12,
        previousId: 11,
        notAfterMs: 0,
        body: { command: CommandKind.Config, settings: { language: 'en', doorOpenAlertSeconds: 120, beep: true } },
      },
      { kind: FrameKind.CommandResult, id: 12, status: CommandStatus.Applied, detail: 'ok' },
      {
        kind: FrameKind.Status,
        uptimeSeconds: 3600,
        lastCommandId: 12,
        outboxSize: 0,
        lockoutUntilMs: 0,
        failedAttempts: 2,
        clockKnown: true,
        firmwareVersion: '0.1.0',
        compartments: [
          { doorOpen: false, keyPresent: true, keySensor: true, locked: true },
          { doorOpen: true, keyPresent: false, keySensor: false, locked: false },
        ],
      },
      { kind: FrameKind.Time, nowMs: 1_764_288_000_123 },
      { kind: FrameKind.Keepalive },
    ];
    expect(decodeFrames(encodeFrames(frames))).toEqual(frames);
  });

  it('round-trips random frames (property)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFrame, { minLength: 1, maxLength: 80 }), (frames) => {
        const plaintexts = packFrames(frames);
        for (const plaintext of plaintexts) {
          expect(plaintext.length).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES);
        }
        expect(plaintexts.flatMap((p) => decodeFrames(p))).toEqual(frames);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws nothing but ProtocolError on 100,000 random byte strings', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: MAX_PLAINTEXT_BYTES }), (bytes) => {
        try {
          decodeFrames(bytes);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          rejected++;
        }
      }),
      { numRuns: 100_000 },
    );
    expect(rejected).toBeGreaterThan(90_000);
  });

  it('throws nothing but ProtocolError on 100,000 mutations of valid batches', () => {
    const valid = packFrames(Array.from({ length: 20 }, (_, i) => event(i)))[0];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat({ max: valid.length }),
        (edits, cut) => {
          const bytes = valid.slice(0, cut);
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          try {
            decodeFrames(bytes);
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error;
          }
        },
      ),
      { numRuns: 100_000 },
    );
  });

  describe('rejects with a typed error', () => {
    it('an empty plaintext', () => {
      expect(codeOf(() => decodeFrames(new Uint8Array(0)))).toBe('empty');
    });
    it('a frame header cut short', () => {
      expect(codeOf(() => decodeFrames(Uint8Array.of(FrameKind.Keepalive, 0)))).toBe('truncated');
    });
    it('a frame length that runs past the datagram', () => {
      const bytes = encodeFrame(event(1));
      bytes[1] += 1;
      expect(codeOf(() => decodeFrames(bytes))).toBe('truncated');
      expect(codeOf(() => decodeFrames(Uint8Array.of(FrameKind.Time, 0xff, 0xff, 1, 2, 3)))).toBe('truncated');
    });
    it('an unknown frame kind', () => {
      expect(codeOf(() => decodeFrames(Uint8Array.of(0x7f, 0, 0)))).toBe('unknown-kind');
      expect(codeOf(() => decodeFrames(Uint8Array.of(0x00, 0, 0)))).toBe('unknown-kind');
    });
    it('a body of the wrong length for its kind', () => {
      expect(codeOf(() => decodeFrames(Uint8Array.of(FrameKind.Keepalive, 1, 0, 0)))).toBe('bad-length');
      expect(codeOf(() => decodeFrames(Uint8Array.of(FrameKind.Time, 4, 0, 1, 2, 3, 4)))).toBe('bad-length');
    });
    it('values out of range', () => {
      const bad = encodeFrame(event(1));
      bad[3 + 8 + 4 + 8] = 200; // event kind
      expect(codeOf(() => decodeFrames(bad))).toBe('bad-value');
      const time = Uint8Array.of(FrameKind.Time, 8, 0, 0, 0, 0, 0, 0, 0, 0x20, 0); // 2^53
      expect(codeOf(() => decodeFrames(time))).toBe('bad-value');
      const invalidUtf8 = encodeFrame(event(1, 'ab'));
      invalidUtf8[invalidUtf8.length - 1] = 0xff;
      expect(codeOf(() => decodeFrames(invalidUtf8))).toBe('bad-value');
    });
    it(`an oversized batch of more than ${MAX_FRAMES_PER_TELEGRAM} frames`, () => {
      const keepalives = new Uint8Array(3 * (MAX_FRAMES_PER_TELEGRAM + 1));
      for (let i = 0; i < keepalives.length; i += 3) keepalives[i] = FrameKind.Keepalive;
      expect(codeOf(() => decodeFrames(keepalives))).toBe('too-many-frames');
      expect(decodeFrames(keepalives.subarray(3))).toHaveLength(MAX_FRAMES_PER_TELEGRAM);
    });
    it('encoding a subject longer than 64 bytes or a short PIN', () => {
      expect(codeOf(() => encodeFrame(event(1, 'x'.repeat(65))))).toBe('bad-value');
      const shortPin = pinAdd({ pinKind: PinKind.Permanent, digits: '12345', validFromMs: 0, validUntilMs: 0 });
      expect(codeOf(() => encodeFrame(shortPin))).toBe('bad-value');
    });
    it('an offline slot outside the duration codes or variants', () => {
      const revoke = encodeFrame({
        kind: FrameKind.Command,
        id: 1,
        previousId: 0,
        notAfterMs: 0,
        body: {
          command: CommandKind.PinRevoke,
          pinId: 5,
          offline: { compartment: 1, startHour: 100, durationCode: 7, variant: 3 },
        },
      });
      const badDuration = revoke.slice();
      badDuration[badDuration.length - 2] = 8;
      expect(codeOf(() => decodeFrames(badDuration))).toBe('bad-value');
      const badVariant = revoke.slice();
      badVariant[badVariant.length - 1] = 4;
      expect(codeOf(() => decodeFrames(badVariant))).toBe('bad-value');
    });
    it('a PIN whose kind, schedule and window do not fit together', () => {
      const week = [{ days: 0b1, startMinute: 0, endMinute: 60 }];
      expect(codeOf(() => encodeFrame(pinAdd({})))).toBe('no error');
      expect(codeOf(() => encodeFrame(pinAdd({ validUntilMs: 1000 })))).toBe('bad-value');
      expect(codeOf(() => encodeFrame(pinAdd({ schedule: week })))).toBe('bad-value');
      expect(codeOf(() => encodeFrame(pinAdd({ pinKind: PinKind.RecurringWeekly })))).toBe('bad-value');
      expect(codeOf(() => encodeFrame(pinAdd({ pinKind: PinKind.RecurringWeekly, schedule: week })))).toBe('no error');
      const noDays = [{ days: 0, startMinute: 0, endMinute: 60 }];
      expect(codeOf(() => encodeFrame(pinAdd({ pinKind: PinKind.RecurringWeekly, schedule: noDays })))).toBe(
        'bad-value',
      );
      // The decoder applies the same rules to bytes from the wire: patch valid-until below valid-from.
      const bytes = encodeFrame(pinAdd({}));
      new DataView(bytes.buffer).setUint32(3 + 4 + 8 + 1 + 4 + 1 + 1 + 8, 1000, true);
      expect(codeOf(() => decodeFrames(bytes))).toBe('bad-value');
    });
    it('a CONFIG value that JSON cannot carry', () => {
      const config = (value: number): Frame => ({
        kind: FrameKind.Command,
        id: 1,
        previousId: 0,
        notAfterMs: 0,
        body: { command: CommandKind.Config, settings: { doorOpenAlertSeconds: value } },
      });
      expect(codeOf(() => encodeFrame(config(Number.NaN)))).toBe('bad-value');
      expect(codeOf(() => encodeFrame(config(120)))).toBe('no error');
    });
    it('a batch that does not fit one telegram through encodeFrames', () => {
      const many = Array.from({ length: 40 }, (_, i) => event(i, 's'.repeat(60)));
      expect(codeOf(() => encodeFrames(many))).toBe('frame-too-large');
    });
  });

  it('packs 1,000 events into telegrams of at most 1200 bytes, in order', () => {
    const frames = Array.from({ length: 1000 }, (_, i) => event(i, `pin:${i}`));
    const plaintexts = packFrames(frames);
    const sizes = plaintexts.map((p) => p.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_PLAINTEXT_BYTES);
    // Greedy packing: every telegram but the last is nearly full.
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(MAX_PLAINTEXT_BYTES - 60);
    expect(plaintexts.flatMap((p) => decodeFrames(p))).toEqual(frames);
  });

  it('packs at most MAX_FRAMES_PER_TELEGRAM small frames per telegram', () => {
    const frames = Array.from({ length: 200 }, (): Frame => ({ kind: FrameKind.Keepalive }));
    const plaintexts = packFrames(frames);
    expect(plaintexts.map((p) => decodeFrames(p).length)).toEqual([64, 64, 64, 8]);
  });
});
