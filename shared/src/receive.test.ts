import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeBackend } from '../test/backends.js';
import { handshakePair, NOW } from '../test/sessions.js';
import { MAX_DATAGRAM_BYTES, PROTOCOL_VERSION, TelegramType } from './constants.js';
import { generateKeyPair } from './crypto/index.js';
import { encodeFrames } from './frame-codec.js';
import { FrameKind } from './frames.js';
import { createInitiation, HandshakeResponder } from './handshake.js';
import { receiveTransport } from './receive.js';

/**
 * Everything a relay or depot does with an incoming datagram, fed with junk:
 * it must drop, never throw, and never report success.
 */
describe('receive path under random input', () => {
  const { depot, relay, relayKeys } = handshakePair(nativeBackend);
  const responder = new HandshakeResponder(nativeBackend, relayKeys);
  const pending = createInitiation({
    backend: nativeBackend,
    staticKeys: generateKeyPair(nativeBackend),
    relayPublicKey: relayKeys.publicKey,
    localId: relay.remoteId,
    stamp: NOW,
  });
  const sessions = new Map([
    [relay.localId, relay],
    [depot.localId, depot],
  ]);
  const find = (id: number) => sessions.get(id);

  // Random bytes, and random bytes dressed with a valid preamble and a live
  // session id, so that the fuzzing reaches the tag check and not just the shape check.
  const datagram = fc.oneof(
    fc.uint8Array({ maxLength: MAX_DATAGRAM_BYTES + 8 }),
    fc
      .tuple(
        fc.constantFrom(TelegramType.HandshakeInitiation, TelegramType.HandshakeResponse, TelegramType.Transport),
        fc.constantFrom(relay.localId, depot.localId),
        fc.uint8Array({ minLength: 20, maxLength: MAX_DATAGRAM_BYTES - 12 }),
      )
      .map(([type, id, rest]) => {
        const bytes = new Uint8Array(12 + rest.length);
        bytes.set([type, PROTOCOL_VERSION, 0, 0]);
        new DataView(bytes.buffer).setUint32(type === TelegramType.HandshakeResponse ? 8 : 4, id, true);
        bytes.set(rest, 12);
        return type === TelegramType.HandshakeInitiation ? bytes.subarray(0, 128) : bytes;
      }),
  );

  it('drops 100,000 random datagrams without throwing', () => {
    fc.assert(
      fc.property(datagram, (bytes) => {
        expect(receiveTransport(bytes, find, NOW).ok).toBe(false);
        expect(responder.openInitiation(bytes).ok).toBe(false);
        expect(pending.consumeResponse(bytes, NOW).ok).toBe(false);
      }),
      { numRuns: 100_000 },
    );
    // The live sessions still work afterwards: nothing random moved a window.
    const ok = receiveTransport(depot.seal(encodeFrames([{ kind: FrameKind.Keepalive }])), find, NOW);
    expect(ok.ok).toBe(true);
  });
});
