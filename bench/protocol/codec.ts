/** The frame codec on a typical uplink batch: encode and decode, no crypto. */
import { decodeFrames, EventKind, encodeFrames, type Frame, FrameKind } from '../../shared/src/index.js';
import { type Bench, bench, sink } from './harness.js';

/** A typical uplink check-in: STATUS and 10 EVENT frames. */
function uplinkBatch(): Frame[] {
  const now = Date.now();
  const compartment = (i: number) => ({ doorOpen: false, keyPresent: i % 3 !== 0, keySensor: true, locked: true });
  const frames: Frame[] = [
    {
      kind: FrameKind.Status,
      uptimeSeconds: 86_400,
      lastCommandId: 1_234,
      outboxSize: 10,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: true,
      firmwareVersion: '1.4.2',
      compartments: Array.from({ length: 12 }, (_, i) => compartment(i)),
    },
  ];
  const cycle = [
    EventKind.PinAccepted,
    EventKind.Unlocked,
    EventKind.DoorOpened,
    EventKind.KeyRemoved,
    EventKind.DoorClosed,
  ];
  for (let i = 0; i < 10; i++) {
    frames.push({
      kind: FrameKind.Event,
      epoch: '9f86d081884c7d65',
      sequence: 5_000 + i,
      timeMs: now - (10 - i) * 1_000,
      event: cycle[i % cycle.length],
      compartment: 1 + (i % 12),
      subject: `pin:${100_000 + i}`,
    });
  }
  return frames;
}

export function codecBench(): { bench: Bench; frames: number; bytes: number } {
  const frames = uplinkBatch();
  const encoded = encodeFrames(frames);
  const decoded = decodeFrames(encoded);
  if (JSON.stringify(decoded) !== JSON.stringify(frames)) throw new Error('frame codec round trip differs');
  return {
    frames: frames.length,
    bytes: encoded.length,
    bench: bench('codec', 'encode+decode', (n) => {
      for (let i = 0; i < n; i++) sink.value += decodeFrames(encodeFrames(frames)).length;
    }),
  };
}
