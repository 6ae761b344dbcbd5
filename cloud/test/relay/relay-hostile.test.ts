import dgram from 'node:dgram';
import { COOKIE_REPLY_BYTES, FrameKind, generateKeyPair, type KeyPair, mac1Key, randomBytes } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/relay.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { TestDepot } from './depot-client.js';
import { backend, insertDepot, newDepotKeys, startTestRelay } from './fixtures.js';
import { snapshotStore } from './snapshot.js';

async function openSocket(): Promise<{ socket: dgram.Socket; replies: number[] }> {
  const socket = dgram.createSocket('udp4');
  const replies: number[] = [];
  socket.on('message', (m) => replies.push(m.length));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, replies };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A datagram from the fuzz corpus: random bytes, or a captured one with a few bytes changed or cut. */
function hostileDatagram(i: number, captured: readonly Uint8Array[]): Uint8Array {
  const r = randomBytes(4);
  switch (i % 4) {
    case 0:
      return randomBytes(1 + (((r[0] << 8) | r[1]) % 1300));
    case 1: {
      // Valid preamble and a random session id: passes the shape check, must fail at the id or tag.
      const d = randomBytes(32 + (r[0] % 200));
      d.set([3, 1, 0, 0]);
      return d;
    }
    case 2: {
      const base = captured[r[0] % captured.length];
      const d = base.slice();
      const flips = 1 + (r[1] % 3);
      for (let f = 0; f < flips; f++) {
        const at = randomBytes(2);
        d[((at[0] << 8) | at[1]) % d.length] ^= 1 + (r[2] % 255);
      }
      return d;
    }
    default: {
      const base = captured[r[0] % captured.length];
      // Exact replays, and truncated or extended copies.
      if (r[1] % 3 === 0) return base;
      if (r[1] % 3 === 1) return base.subarray(0, Math.max(1, base.length - 1 - (r[2] % 16)));
      const longer = new Uint8Array(base.length + 1 + (r[2] % 16));
      longer.set(base);
      return longer;
    }
  }
}

describe.each(testDialects())('relay under hostile input (%s)', (dialect) => {
  let db: TestDatabase;
  let relay: Relay;
  let relayKeys: KeyPair;
  let depotKeys: KeyPair;
  let depot: TestDepot;

  const openDepot = async () =>
    TestDepot.open({
      backend: await backend(),
      keys: depotKeys,
      relayPublicKey: relayKeys.publicKey,
      relayPort: relay.port,
    });

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    relayKeys = generateKeyPair(await backend());
    depotKeys = await newDepotKeys();
    await insertDepot(db, depotKeys);
    relay = await startTestRelay(db, relayKeys);
    depot = await openDepot();
  });

  afterEach(async () => {
    depot.close();
    await relay.close();
    await db.dispose();
  });

  it('answers none of 100k random and mutated datagrams but with cookie replies, writes nothing and keeps serving', async () => {
    expect(await depot.handshake()).toBe(true);
    for (let i = 0; i < 3; i++) {
      depot.journal();
      expect(await depot.checkIn()).not.toBeNull();
    }
    const captured = [...depot.sent];
    await pause(300);
    const before = await snapshotStore(db);
    const depotHeard = depot.received.length;
    const attacker = await openSocket();
    const total = 100_000;
    const receivedBefore = await relay.metrics.count(relay.metrics.datagramsIn);
    const handled = async () => (await relay.metrics.count(relay.metrics.datagramsIn)) - receivedBefore;
    for (let i = 0; i < total; i++) {
      attacker.socket.send(hostileDatagram(i, captured), relay.port, '127.0.0.1');
      // Keep at most ~1000 in flight, so no socket buffer overflows and every datagram is really handled.
      if (i % 250 === 249) while (i + 1 - (await handled()) > 1_000) await new Promise((r) => setImmediate(r));
    }
    const deadline = Date.now() + 10_000;
    while ((await relay.metrics.count(relay.metrics.datagramsIn)) - receivedBefore < total && Date.now() < deadline) {
      await pause(50);
    }
    await pause(300);
    expect((await relay.metrics.count(relay.metrics.datagramsIn)) - receivedBefore).toBe(total);
    // The one answer: under load, an initiation whose mac1 still verifies (a replay, or one with mac2 altered)
    // gets a 64-byte cookie reply (protocol §6.4), no DH and no state. Everything else gets nothing.
    expect(attacker.replies.filter((length) => length !== COOKIE_REPLY_BYTES)).toEqual([]);
    expect(attacker.replies.length).toBeLessThan(total / 8);
    expect(depot.received.length).toBe(depotHeard);
    expect(await relay.metrics.count(relay.metrics.errors)).toBe(0);
    expect(await snapshotStore(db)).toBe(before);
    attacker.socket.close();
    // Still serving the real depot.
    expect(await depot.checkIn()).not.toBeNull();
  });

  it('rejects replayed telegrams and handshakes, also after a relay restart', async () => {
    await depot.handshake();
    for (let i = 0; i < 3; i++) await depot.checkIn();
    const [initiation, ...transports] = depot.sent;
    await relay.close();
    relay = await startTestRelay(db, relayKeys);
    depot.relayPort = relay.port;
    const heard = depot.received.length;
    depot.sendRaw(initiation);
    for (const t of transports) depot.sendRaw(t);
    await pause(500);
    expect(depot.received.length).toBe(heard);
    expect(await relay.metrics.count(relay.metrics.drops, { reason: 'stale-stamp' })).toBe(1);
    expect(await relay.metrics.count(relay.metrics.drops, { reason: 'replay' })).toBe(transports.length);
    // The session itself continues on the new relay process, with fresh send counters.
    const reply = await depot.checkIn();
    expect(reply?.[0][0].kind).toBe(FrameKind.Time);
    const session = await relayDb(db).selectFrom('depot_sessions').selectAll().executeTakeFirstOrThrow();
    expect(session.send_counter_reserved).toBe(128);
  });

  it('does not move the endpoint for a telegram resent or reordered from another address', async () => {
    await depot.handshake();
    await depot.checkIn();
    const other = await openSocket();
    const endpointOf = async () =>
      (await relayDb(db).selectFrom('depot_sessions').select('endpoint').executeTakeFirstOrThrow()).endpoint;
    const home = `127.0.0.1:${depot.port}`;
    // An exact resend from a new address: a replay, dropped.
    other.socket.send(depot.sent.at(-1) as Uint8Array, relay.port, '127.0.0.1');
    await pause(300);
    expect(other.replies).toEqual([]);
    expect(await endpointOf()).toBe(home);
    // Reordered: the newer telegram came first from home, the older one arrives from elsewhere.
    const session = depot.session;
    if (!session) throw new Error('no session');
    const { encodeFrames } = await import('@keydepot/shared');
    const older = session.seal(encodeFrames([{ kind: FrameKind.Keepalive }]));
    const heard = depot.received.length;
    await depot.keepalive();
    other.socket.send(older, relay.port, '127.0.0.1');
    await pause(300);
    expect(other.replies).toEqual([]);
    expect(depot.received.length).toBe(heard + 2); // both answers went home
    expect(await endpointOf()).toBe(home);
    other.socket.close();
  });

  it('a handshake flood from many sources does not stop a real depot from connecting', async () => {
    await relay.close();
    relay = await startTestRelay(db, relayKeys, { handshakeLimits: { maxSources: 100, globalPerSecond: 200 } });
    depot.relayPort = relay.port;
    expect(await depot.handshake()).toBe(true);
    await depot.checkIn();
    const b = await backend();
    const key = mac1Key(b, relayKeys.publicKey);
    const flooders = await Promise.all(Array.from({ length: 300 }, openSocket));
    let flooding = true;
    let sent = 0;
    const flood = (async () => {
      while (flooding) {
        for (const f of flooders) {
          // mac1-valid junk without a cookie (mac2 zero): passes the cheap check, so only admission stands before the DH.
          const d = randomBytes(144);
          d.set([1, 1, 0, 0]);
          d.set(b.blake2b(16, [d.subarray(0, 112)], key), 112);
          d.fill(0, 128);
          f.socket.send(d, relay.port, '127.0.0.1');
          sent++;
        }
        await pause(20);
      }
    })();
    // The depot connects while the flood is in full swing, however slowly a busy CI machine sends it.
    while (sent < 6_000) await pause(20);
    let connected = false;
    for (let attempt = 0; attempt < 3 && !connected; attempt++) connected = await depot.handshake(2_000);
    flooding = false;
    await flood;
    expect(connected).toBe(true);
    expect(await depot.checkIn()).not.toBeNull();
    expect(sent).toBeGreaterThan(5_000);
    expect(await relay.metrics.count(relay.metrics.drops, { reason: 'rate-limit' })).toBeGreaterThan(sent / 2);
    for (const f of flooders) f.socket.close();
  });
});
