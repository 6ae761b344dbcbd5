import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, nativeBackend, wasmBackend } from '../test/backends.js';
import { handshakePair, keyedPair, NOW, sealAtCounter } from '../test/sessions.js';
import { MAX_PLAINTEXT_BYTES, REJECT_AFTER_MS, REPLAY_WINDOW_SIZE } from './constants.js';
import { encodeFrames } from './frame-codec.js';
import { EventKind, type Frame, FrameKind } from './frames.js';
import { receiveTransport } from './receive.js';
import { TransportSession } from './session.js';

const keepalive = encodeFrames([{ kind: FrameKind.Keepalive }]);
const checkIn: Frame[] = [
  {
    kind: FrameKind.Event,
    epoch: 'a1b2c3d4e5f60718',
    sequence: 1,
    timeMs: NOW,
    event: EventKind.DoorOpened,
    compartment: 1,
    subject: '',
  },
  { kind: FrameKind.Time, nowMs: NOW },
];

const lookup = (session: TransportSession) => (id: number) => (id === session.localId ? session : undefined);

describe.each(backends)('transport telegrams on $name', (backend) => {
  it('carries frames both ways after a real handshake', () => {
    const { depot, relay } = handshakePair(backend);
    const up = receiveTransport(depot.seal(encodeFrames(checkIn)), lookup(relay), NOW);
    expect(up.ok && up.frames).toEqual(checkIn);
    const down = receiveTransport(relay.seal(keepalive), lookup(depot), NOW);
    expect(down.ok && down.frames).toEqual([{ kind: FrameKind.Keepalive }]);
  });

  it('continues in a second process from its exported parameters', () => {
    const { depot, relay } = handshakePair(backend);
    const restored = new TransportSession(relay.exportParams());
    const up = receiveTransport(depot.seal(encodeFrames(checkIn)), lookup(restored), NOW);
    expect(up.ok && up.frames).toEqual(checkIn);
    const down = receiveTransport(restored.seal(keepalive), lookup(depot), NOW);
    expect(down.ok).toBe(true);
  });

  it('continued from storage, refuses everything up to the stored counter and marks the newest', () => {
    const { depot, relay } = handshakePair(backend);
    const sent = [0, 1, 2].map(() => depot.seal(keepalive));
    const first = relay.open(sent[0]);
    expect(first.ok && first.newest).toBe(true);
    const continued = new TransportSession({ ...relay.exportParams(), receivedThrough: 1 });
    expect(continued.open(sent[1])).toEqual({ ok: false, reason: 'replay' });
    const third = continued.open(sent[2]);
    expect(third.ok && third.newest).toBe(true);
    const late = relay.open(sent[2]);
    const early = relay.open(sent[1]);
    expect(late.ok && late.newest).toBe(true);
    expect(early.ok && early.newest).toBe(false);
  });

  it('moves its send counter only forward', () => {
    const { depot, relay } = handshakePair(backend);
    relay.moveSendCounterTo(64);
    const opened = depot.open(relay.seal(keepalive));
    expect(opened.ok && opened.counter).toBe(64);
    expect(() => relay.moveSendCounterTo(10)).toThrow(RangeError);
  });

  it('round-trips random payloads at random counters (property)', () => {
    const { relay, toRelay } = keyedPair(backend);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: MAX_PLAINTEXT_BYTES }),
        fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }),
        (payload, counter) => {
          const receiver = keyedPair(backend).relay;
          const opened = receiver.open(sealAtCounter(backend, toRelay, relay.localId, counter, payload));
          expect(opened.ok).toBe(true);
          if (opened.ok) {
            expect(opened.counter).toBe(Number(counter));
            expect(Buffer.from(opened.plaintext).equals(Buffer.from(payload))).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects every single-bit flip of a sealed telegram (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (payload) => {
        const { depot, relay } = keyedPair(backend);
        const datagram = depot.seal(payload);
        for (let bit = 0; bit < datagram.length * 8; bit++) {
          const flipped = datagram.slice();
          flipped[bit >> 3] ^= 1 << (bit & 7);
          const result = relay.open(flipped);
          const dropped = result.ok === false || receiveTransport(flipped, lookup(relay), NOW).ok === false;
          expect(dropped).toBe(true);
          expect(result.ok).toBe(false);
        }
        // The window is untouched by all those forgeries: the genuine telegram still opens.
        expect(relay.open(datagram).ok).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  describe('hostile input', () => {
    const drop = (datagram: Uint8Array, receiver: TransportSession) =>
      receiveTransport(datagram, lookup(receiver), NOW);

    for (const size of [0, 15, 16, 1201, 65_507]) {
      it(`drops a datagram of ${size} bytes`, () => {
        const { relay } = keyedPair(backend);
        const datagram = new Uint8Array(size);
        if (size > 0) datagram[0] = 3;
        if (size > 1) datagram[1] = 1;
        expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'size' });
      });
    }

    it('drops an unknown telegram type', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      datagram[0] = 9;
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'type' });
    });

    it('drops non-zero reserved bits', () => {
      const { depot, relay } = keyedPair(backend);
      for (const at of [2, 3]) {
        const datagram = depot.seal(keepalive);
        datagram[at] = 0x80;
        expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'reserved' });
      }
    });

    it('drops a wrong version', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      datagram[1] = 2;
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'version' });
    });

    it('drops an unknown session id', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      datagram[4] ^= 0xff;
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'unknown-session' });
    });

    it('drops a telegram for an expired session', () => {
      const { depot, relay } = keyedPair(backend);
      const result = receiveTransport(depot.seal(keepalive), lookup(relay), NOW + REJECT_AFTER_MS);
      expect(result).toEqual({ ok: false, reason: 'expired-session' });
    });

    it('drops a flipped header bit (counter, covered by the tag)', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      datagram[9] ^= 0x01;
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'tag' });
    });

    it('drops a flipped ciphertext bit', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      datagram[16] ^= 0x01;
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'tag' });
    });

    it('drops a frame length that runs past the end, after authenticating it', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(Uint8Array.of(FrameKind.Time, 200, 0, 1, 2, 3));
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'frames', code: 'truncated' });
    });

    it('drops an empty plaintext', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(new Uint8Array(0));
      expect(datagram.length).toBe(32);
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'frames', code: 'empty' });
    });

    it('drops a duplicate counter', () => {
      const { depot, relay } = keyedPair(backend);
      const datagram = depot.seal(keepalive);
      expect(drop(datagram, relay).ok).toBe(true);
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'replay' });
    });

    it('drops a counter below the window', () => {
      const { relay, toRelay } = keyedPair(backend);
      const at = (counter: bigint) => sealAtCounter(backend, toRelay, relay.localId, counter, keepalive);
      expect(drop(at(5000n), relay).ok).toBe(true);
      expect(drop(at(5000n - BigInt(REPLAY_WINDOW_SIZE)), relay).ok).toBe(true);
      expect(drop(at(5000n - BigInt(REPLAY_WINDOW_SIZE) - 1n), relay)).toEqual({ ok: false, reason: 'replay' });
    });

    it('drops counter 2^64-1 even with a valid tag', () => {
      const { relay, toRelay } = keyedPair(backend);
      const datagram = sealAtCounter(backend, toRelay, relay.localId, 2n ** 64n - 1n, keepalive);
      expect(drop(datagram, relay)).toEqual({ ok: false, reason: 'counter-limit' });
      // and it did not move the window: counter 0 still opens.
      expect(drop(sealAtCounter(backend, toRelay, relay.localId, 0n, keepalive), relay).ok).toBe(true);
    });

    it('a session opened directly (without classifyDatagram) still refuses wrong sizes', () => {
      const { relay } = keyedPair(backend);
      for (const size of [0, 31, 1201]) expect(relay.open(new Uint8Array(size))).toEqual({ ok: false, reason: 'size' });
    });

    it('never seals a plaintext that would exceed 1200 bytes', () => {
      const { depot } = keyedPair(backend);
      expect(() => depot.seal(new Uint8Array(MAX_PLAINTEXT_BYTES + 1))).toThrow(RangeError);
      expect(depot.seal(new Uint8Array(MAX_PLAINTEXT_BYTES)).length).toBe(1200);
    });
  });
});

describe('backend interoperability', () => {
  it('a depot on libsodium-wrappers and a relay on sodium-native agree', () => {
    const { depot, relay } = handshakePair(wasmBackend, nativeBackend);
    const up = receiveTransport(depot.seal(encodeFrames(checkIn)), lookup(relay), NOW);
    expect(up.ok && up.frames).toEqual(checkIn);
    const down = receiveTransport(relay.seal(keepalive), lookup(depot), NOW);
    expect(down.ok).toBe(true);
  });

  it('a telegram sealed by one backend opens with the other (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_PLAINTEXT_BYTES }), fc.boolean(), (payload, nativeSeals) => {
        const sender = keyedPair(nativeSeals ? nativeBackend : wasmBackend).depot;
        const receiver = keyedPair(nativeSeals ? wasmBackend : nativeBackend).relay;
        const opened = receiver.open(sender.seal(payload));
        expect(opened.ok && Buffer.from(opened.plaintext).equals(Buffer.from(payload))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
