import type { Address } from '@keydepot/shared';
import {
  createInitiation,
  decodeFrames,
  encodeFrames,
  FrameKind,
  generateKeyPair,
  HandshakeResponder,
  loadCryptoBackend,
  receiveTransport,
  type TransportSession,
} from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from './memory-network.js';

const nextDatagram = (endpoint: { onDatagram(h: (d: Uint8Array, from: Address) => void): void }) =>
  new Promise<{ datagram: Uint8Array; from: Address }>((resolve) =>
    endpoint.onDatagram((datagram, from) => resolve({ datagram, from })),
  );

describe('MemoryNetwork', () => {
  it('delivers datagrams asynchronously, with the sender address, as copies', async () => {
    const network = new MemoryNetwork();
    const a = network.bind();
    const b = network.bind();
    const arrival = nextDatagram(b);
    const payload = Uint8Array.of(1, 2, 3);
    a.send(payload, b.address);
    payload[0] = 9;
    const { datagram, from } = await arrival;
    expect([...datagram]).toEqual([1, 2, 3]);
    expect(from).toEqual(a.address);
  });

  it('counts datagrams to nobody, and refuses a bound address twice', async () => {
    const network = new MemoryNetwork();
    const a = network.bind('127.0.0.1', 5000);
    expect(() => network.bind('127.0.0.1', 5000)).toThrow(/in use/);
    a.send(Uint8Array.of(1), { host: '127.0.0.1', port: 1 });
    await Promise.resolve();
    await Promise.resolve();
    expect(network.undeliverable).toBe(1);
  });

  it('carries a real handshake and a sealed telegram between a depot and a relay', async () => {
    const backend = await loadCryptoBackend('libsodium-wrappers');
    const network = new MemoryNetwork();
    const relayEndpoint = network.bind('127.0.0.1', 51820);
    const depotEndpoint = network.bind('10.0.0.2');
    const relayKeys = generateKeyPair(backend);
    const responder = new HandshakeResponder(backend, relayKeys);
    let relaySession: TransportSession | undefined;

    relayEndpoint.onDatagram((datagram, from) => {
      const opened = responder.openInitiation(datagram);
      if (opened.ok) {
        const reply = opened.respond(7, Date.now());
        if (reply.ok) {
          relaySession = reply.session;
          relayEndpoint.send(reply.datagram, from);
        }
        return;
      }
      const received = receiveTransport(
        datagram,
        (id) => (id === relaySession?.localId ? relaySession : undefined),
        Date.now(),
      );
      if (received.ok)
        relayEndpoint.send(received.session.seal(encodeFrames([{ kind: FrameKind.Time, nowMs: 1 }])), from);
    });

    const pending = createInitiation({
      backend,
      staticKeys: generateKeyPair(backend),
      relayPublicKey: relayKeys.publicKey,
      localId: 3,
      stamp: 1,
    });
    const response = nextDatagram(depotEndpoint);
    depotEndpoint.send(pending.datagram, relayEndpoint.address);
    const completed = pending.consumeResponse((await response).datagram, Date.now());
    if (!completed.ok) throw new Error(completed.reason);

    const answer = nextDatagram(depotEndpoint);
    depotEndpoint.send(completed.session.seal(encodeFrames([{ kind: FrameKind.Keepalive }])), relayEndpoint.address);
    const opened = completed.session.open((await answer).datagram);
    expect(opened.ok && decodeFrames(opened.plaintext)).toEqual([{ kind: FrameKind.Time, nowMs: 1 }]);
  });
});
