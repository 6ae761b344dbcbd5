import { TelegramType } from '../src/constants.js';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { generateKeyPair } from '../src/crypto/index.js';
import { createInitiation, HandshakeResponder } from '../src/handshake.js';
import { noiseNonce } from '../src/noise/symmetric-state.js';
import { TransportSession } from '../src/session.js';
import { writePreamble, writeU32 } from '../src/telegram.js';

export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A depot and a relay session from a real handshake (the depot may use another backend than the relay). */
export function handshakePair(depotBackend: CryptoBackend, relayBackend: CryptoBackend = depotBackend) {
  const relayKeys = generateKeyPair(relayBackend);
  const depotKeys = generateKeyPair(depotBackend);
  const pending = createInitiation({
    backend: depotBackend,
    staticKeys: depotKeys,
    relayPublicKey: relayKeys.publicKey,
    localId: 0x0d0d0d0d,
    stamp: NOW,
  });
  const opened = new HandshakeResponder(relayBackend, relayKeys).openInitiation(pending.datagram);
  if (!opened.ok) throw new Error(`initiation dropped: ${opened.reason}`);
  const response = opened.respond(0x0e0e0e0e, NOW);
  if (!response.ok) throw new Error(`response failed: ${response.reason}`);
  const completed = pending.consumeResponse(response.datagram, NOW);
  if (!completed.ok) throw new Error(`response dropped: ${completed.reason}`);
  return { depot: completed.session, relay: response.session, depotKeys, relayKeys };
}

/** Two sessions over fixed keys, for tests that must craft telegrams by hand. */
export function keyedPair(backend: CryptoBackend) {
  const toRelay = new Uint8Array(32).fill(1);
  const toDepot = new Uint8Array(32).fill(2);
  const depot = new TransportSession({
    backend,
    localId: 10,
    remoteId: 20,
    sendKey: toRelay,
    receiveKey: toDepot,
    establishedAtMs: NOW,
  });
  const relay = new TransportSession({
    backend,
    localId: 20,
    remoteId: 10,
    sendKey: toDepot,
    receiveKey: toRelay,
    establishedAtMs: NOW,
  });
  return { depot, relay, toRelay, toDepot };
}

/** Seals a transport telegram at any 64-bit counter (bigint), bypassing a session's own counter. */
export function sealAtCounter(
  backend: CryptoBackend,
  key: Uint8Array,
  receiverId: number,
  counter: bigint,
  plaintext: Uint8Array,
): Uint8Array {
  const datagram = new Uint8Array(16 + plaintext.length + 16);
  writePreamble(datagram, TelegramType.Transport);
  writeU32(datagram, 4, receiverId);
  new DataView(datagram.buffer).setBigUint64(8, counter, true);
  const nonce = noiseNonce(0);
  nonce.set(datagram.subarray(8, 16), 4);
  backend.aeadSeal(datagram.subarray(16), plaintext, datagram.subarray(0, 16), nonce, key);
  return datagram;
}
