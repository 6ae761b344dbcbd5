/** Handshakes per second: initiation, open, response and consume, both sides on one backend. */
import {
  type CryptoBackend,
  createInitiation,
  generateKeyPair,
  HandshakeResponder,
  type KeyPair,
  randomBytes,
  readU32,
  type TransportSession,
} from '../../shared/src/index.js';
import { type Bench, bench, sink } from './harness.js';

function randomU32(): number {
  return readU32(randomBytes(4), 0);
}

/** One complete handshake between fresh objects; returns the two transport sessions. */
export function handshake(
  backend: CryptoBackend,
  depotKeys: KeyPair,
  responder: HandshakeResponder,
  relayPublicKey: Uint8Array,
  stamp: number,
): { depot: TransportSession; relay: TransportSession } {
  const pending = createInitiation({
    backend,
    staticKeys: depotKeys,
    relayPublicKey,
    localId: randomU32(),
    stamp,
  });
  const opened = responder.openInitiation(pending.datagram);
  if (!opened.ok) throw new Error(`openInitiation failed: ${opened.reason}`);
  const answered = opened.respond(randomU32(), Date.now());
  if (!answered.ok) throw new Error(`respond failed: ${answered.reason}`);
  const done = pending.consumeResponse(answered.datagram, Date.now());
  if (!done.ok) throw new Error(`consumeResponse failed: ${done.reason}`);
  return { depot: done.session, relay: answered.session };
}

export function handshakeBench(backend: CryptoBackend): Bench {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const responder = new HandshakeResponder(backend, relayKeys);
  let stamp = 0;
  return bench('handshake', 'handshake', (n) => {
    for (let i = 0; i < n; i++) {
      stamp++;
      sink.value += handshake(backend, depotKeys, responder, relayKeys.publicKey, stamp).depot.localId & 1;
    }
  });
}
