import dgram from 'node:dgram';
import {
  createInitiation,
  generateKeyPair,
  type KeyPair,
  openStaleStampHint,
  randomBytes,
  readU32,
  STALE_STAMP_HINT_BYTES,
  TelegramType,
} from '@keydepot/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relay } from '../../src/relay/relay.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { backend, insertDepot, newDepotKeys, startTestRelay } from './fixtures.js';
import { snapshotStore } from './snapshot.js';

const DAY_MS = 86_400_000;

// Issue 19 item 3, the relay's side: a known depot whose stamp is behind the
// highest one the relay accepted from it (a card flashed again, a clock behind)
// gets the sealed stale-stamp hint (protocol §6.5), logged with its depot id;
// the relay stores nothing for it, and a stamp above the hint opens a session.

describe.each(testDialects())('stale-stamp hint (%s)', (dialect) => {
  let db: TestDatabase;
  let relay: Relay;
  let relayKeys: KeyPair;
  let depotKeys: KeyPair;
  let depotId: number;
  let socket: dgram.Socket;
  let replies: Uint8Array[];
  const logLines: string[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    relayKeys = generateKeyPair(await backend());
    depotKeys = await newDepotKeys();
    depotId = await insertDepot(db, depotKeys);
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    relay = await startTestRelay(db, relayKeys, { logger });
    socket = dgram.createSocket('udp4');
    replies = [];
    socket.on('message', (m) => replies.push(new Uint8Array(m)));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    socket.close();
    await relay.close();
    await db.dispose();
  });

  async function initiate(stamp: number): Promise<{ initiation: Uint8Array; reply: Uint8Array }> {
    const initiation = createInitiation({
      backend: await backend(),
      staticKeys: depotKeys,
      relayPublicKey: relayKeys.publicKey,
      localId: readU32(randomBytes(4), 0) || 1,
      stamp,
    }).datagram;
    const before = replies.length;
    socket.send(initiation, relay.port, '127.0.0.1');
    const deadline = Date.now() + 5_000;
    while (replies.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const reply = replies[before];
    if (reply === undefined) throw new Error('no reply');
    return { initiation, reply };
  }

  it('answers a known depot’s stale initiation with a hint only it can read, and stores nothing', async () => {
    const ahead = Date.now() + DAY_MS;
    expect((await initiate(ahead)).reply[0]).toBe(TelegramType.HandshakeResponse);
    const before = await snapshotStore(db);

    // Flashed again, clock a day behind.
    const { initiation, reply } = await initiate(Date.now());
    expect(reply[0]).toBe(TelegramType.StaleStampHint);
    expect(reply.length).toBe(STALE_STAMP_HINT_BYTES);
    const highest = openStaleStampHint({
      backend: await backend(),
      depotSecretKey: depotKeys.secretKey,
      relayPublicKey: relayKeys.publicKey,
      initiation,
      hint: reply,
    });
    expect(highest).toBe(ahead);
    // Not readable with another depot's key.
    const other = generateKeyPair(await backend());
    expect(
      openStaleStampHint({
        backend: await backend(),
        depotSecretKey: other.secretKey,
        relayPublicKey: relayKeys.publicKey,
        initiation,
        hint: reply,
      }),
    ).toBeUndefined();
    expect(await snapshotStore(db)).toBe(before);
    const logged = logLines.map((line) => JSON.parse(line)).find((l) => l.msg === 'stale handshake stamp: hint sent');
    expect(logged).toMatchObject({ depotId, highestStamp: ahead });

    // The depot's next stamp, above the hint, opens a session.
    expect((await initiate((highest as number) + 1)).reply[0]).toBe(TelegramType.HandshakeResponse);
  });
});
