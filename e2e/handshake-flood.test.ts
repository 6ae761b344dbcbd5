/**
 * Protocol §6.4 over real UDP: 2,000 handshake initiations a second from the
 * depot's own address (127.0.0.1, as many depots share one carrier-grade NAT
 * address) against the cloud's real relay, rate limited by IP as in
 * production. The real firmware link still completes its handshake within
 * 5 s: the relay answers the flood with cookie replies, and the depot, which
 * receives at its address and port, comes back with the cookie in mac2.
 *
 * The flood's initiations carry a valid mac1 (the relay's public key is no
 * secret) over random bytes, so the ones admitted cost the relay real
 * Diffie-Hellman work. Without cookies the per-address bucket (5/s) is spent
 * by the flood before the depot's initiation arrives, every time.
 */
import dgram from 'node:dgram';
import { silentLogger, startRelay } from '@keydepot/cloud';
import { createTestDatabase, insertDepot } from '@keydepot/cloud/testing';
import { memoryStampStore, udpLinkSocket } from '@keydepot/firmware';
import { FakeDepotPort, Link, RealClock } from '@keydepot/firmware/testing';
import {
  type CryptoBackend,
  classifyDatagram,
  generateKeyPair,
  INITIATION_MAC1_AT,
  initiationMac2,
  loadCryptoBackend,
  mac1Key,
  openCookieReply,
  randomBytes,
  readU32,
  cookieKey as relayCookieKey,
  TelegramType,
} from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';

const FLOOD_PER_SECOND = 2_000;
const HEAD_START_MS = 1_000;
const DEADLINE_MS = 5_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Flood {
  sent: number;
  cookieReplies: number;
  echoed: number;
  stop(): Promise<void>;
}

/**
 * Initiations with a valid mac1 at FLOOD_PER_SECOND from 127.0.0.1, sent in
 * 10 ms slices that catch up when a timer fires late. With `echoCookies` the
 * flooder behaves like an attacker truly behind the same NAT address, holding
 * 50 ports: it receives its cookie replies (one per port a second) and sends
 * the initiation again with mac2.
 */
async function startFlood(
  backend: CryptoBackend,
  relayPublicKey: Uint8Array,
  port: number,
  echoCookies: boolean,
): Promise<Flood> {
  const sockets = await Promise.all(
    Array.from({ length: echoCookies ? 50 : 1 }, async () => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
  const key = mac1Key(backend, relayPublicKey);
  const cookieKey = relayCookieKey(backend, relayPublicKey);
  const recent = new Map<number, Uint8Array>();
  const flood: Flood = { sent: 0, cookieReplies: 0, echoed: 0, stop: async () => {} };
  const onMessage = (socket: dgram.Socket) => (buffer: Buffer) => {
    const datagram = new Uint8Array(buffer);
    const shape = classifyDatagram(datagram);
    if (!shape.ok || shape.type !== TelegramType.CookieReply) return;
    flood.cookieReplies++;
    const initiation = recent.get(shape.sessionId);
    if (!echoCookies || initiation === undefined) return;
    const cookie = openCookieReply(backend, datagram, cookieKey, initiation.subarray(INITIATION_MAC1_AT, 128));
    if (cookie === null) return;
    const again = initiation.slice();
    again.set(initiationMac2(backend, cookie, again), 128);
    recent.delete(shape.sessionId);
    flood.echoed++;
    socket.send(again, port, '127.0.0.1');
  };
  for (const socket of sockets) socket.on('message', onMessage(socket));
  const initiation = () => {
    const datagram = randomBytes(144);
    datagram.set([TelegramType.HandshakeInitiation, 1, 0, 0]);
    datagram.set(backend.blake2b(16, [datagram.subarray(0, INITIATION_MAC1_AT)], key), INITIATION_MAC1_AT);
    datagram.fill(0, 128);
    if (echoCookies) {
      recent.set(readU32(datagram, 4), datagram);
      if (recent.size > 4_096) recent.delete(recent.keys().next().value as number);
    }
    return datagram;
  };
  const startedAt = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * FLOOD_PER_SECOND);
    for (; flood.sent < due; flood.sent++) {
      sockets[flood.sent % sockets.length].send(initiation(), port, '127.0.0.1');
    }
  }, 10);
  flood.stop = async () => {
    clearInterval(timer);
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  };
  return flood;
}

async function floodAndHandshake(echoCookies: boolean) {
  const backend = await loadCryptoBackend('sodium-native');
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const store = await createTestDatabase('sqlite');
  cleanups.push(() => store.dispose());
  await insertDepot(store, depotKeys, 4);
  // Rate limited by IP, as in production: the flood and the depot are one source.
  const relay = await startRelay({ store, relayKeys, backend, logger: silentLogger(), rateLimitBy: 'ip' });
  cleanups.push(() => relay.close());

  const flood = await startFlood(backend, relayKeys.publicKey, relay.port, echoCookies);
  cleanups.push(() => flood.stop());
  await new Promise((resolve) => setTimeout(resolve, HEAD_START_MS));

  const socket = udpLinkSocket({ host: '127.0.0.1', port: relay.port });
  cleanups.push(() => socket.close());
  const link = new Link({
    backend: await loadCryptoBackend('libsodium-wrappers'),
    staticKeys: depotKeys,
    relayPublicKey: relayKeys.publicKey,
    socket,
    clock: new RealClock(),
    depot: new FakeDepotPort(),
    stamps: memoryStampStore(),
  });
  const startedAt = performance.now();
  link.start();
  cleanups.push(() => link.stop());
  while (link.snapshot().sessionsEstablished === 0 && performance.now() - startedAt < DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsedMs = performance.now() - startedAt;
  const floodSeconds = (HEAD_START_MS + elapsedMs) / 1000;
  return { link: link.snapshot(), elapsedMs, flood, floodSeconds };
}

describe('a handshake flood from the depot’s own address (cloud relay, real UDP)', () => {
  it('is answered with cookie replies, and the depot completes its handshake within 5 s', async () => {
    const { link, elapsedMs, flood, floodSeconds } = await floodAndHandshake(false);
    expect(flood.sent).toBeGreaterThanOrEqual(0.9 * FLOOD_PER_SECOND * floodSeconds);
    // The relay was under load for this address: it answered the flood with cookies (one a second for
    // its one port) instead of DH, and the depot, on a port of its own, got its cookie.
    expect(flood.cookieReplies).toBeGreaterThanOrEqual(1);
    expect(link.cookieReplies).toBeGreaterThanOrEqual(1);
    expect(link.sessionsEstablished).toBe(1);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });

  it('still lets the depot in when the flooder receives and echoes its own cookies', async () => {
    const { link, elapsedMs, flood } = await floodAndHandshake(true);
    expect(flood.echoed).toBeGreaterThanOrEqual(25);
    expect(link.sessionsEstablished).toBe(1);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });
});
