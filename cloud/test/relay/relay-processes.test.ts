import { CommandKind, generateKeyPair, type KeyPair } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueCommand } from '../../src/store/relay/commands.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { TestDepot } from './depot-client.js';
import { backend, insertDepot, newDepotKeys } from './fixtures.js';
import { type RelayChild, spawnRelay } from './relay-child.js';

describe.each(testDialects())('relay processes over one database (%s)', (dialect) => {
  let db: TestDatabase;
  let relayKeys: KeyPair;
  let depotKeys: KeyPair;
  let depotId: number;
  let depot: TestDepot | undefined;
  const children: RelayChild[] = [];

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    relayKeys = generateKeyPair(await backend());
    depotKeys = await newDepotKeys();
    depotId = await insertDepot(db, depotKeys);
  });

  afterEach(async () => {
    depot?.close();
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await db.dispose();
  });

  const openDepot = async (port: number) =>
    TestDepot.open({ backend: await backend(), keys: depotKeys, relayPublicKey: relayKeys.publicKey, relayPort: port });

  it('a depot alternating between two relays loses no event and gets every command once', async () => {
    const [a, b] = await Promise.all([spawnRelay(db, relayKeys.secretKey), spawnRelay(db, relayKeys.secretKey)]);
    children.push(a, b);
    depot = await openDepot(a.port);
    expect(await depot.handshake()).toBe(true);
    const queued: number[] = [];
    for (let round = 0; round < 40; round++) {
      depot.journal();
      if (round % 2 === 0) depot.journal();
      if (round % 8 === 3) queued.push(await queueCommand(db, depotId, { command: CommandKind.LockoutReset }));
      depot.relayPort = round % 2 === 0 ? b.port : a.port;
      // A lost answer is retransmitted as a new telegram, to whichever relay the balancer picks.
      let reply = await depot.checkIn(1_000);
      if (reply === null) reply = await depot.checkIn(2_000);
      expect(reply).not.toBeNull();
    }
    // Settle: results of the last commands, acks of the last events.
    for (let i = 0; i < 3; i++) {
      depot.relayPort = i % 2 === 0 ? a.port : b.port;
      await depot.checkIn();
    }
    const journaled = 60;
    const events = await relayDb(db).selectFrom('events').select('sequence').where('depot_id', '=', depotId).execute();
    expect(events.map((e) => e.sequence).sort((x, y) => x - y)).toEqual(
      Array.from({ length: journaled }, (_, i) => i + 1),
    );
    expect(depot.outbox).toEqual([]);
    expect(depot.acks.get(depot.epoch)).toBe(journaled);
    expect(depot.applied.map((c) => c.id)).toEqual(queued);
    const states = await relayDb(db).selectFrom('commands').select('state').execute();
    expect(states.every((s) => s.state === 'applied')).toBe(true);
  });

  it('kill -9 between commit and ack: the depot resends and the event is stored exactly once', async () => {
    const doomed = await spawnRelay(db, relayKeys.secretKey, { KEYDEPOT_RELAY_KILL_AFTER_COMMIT: '1' });
    children.push(doomed);
    depot = await openDepot(doomed.port);
    expect(await depot.handshake()).toBe(true);
    depot.journal();
    depot.journal();
    depot.journal();
    expect(await depot.checkIn(1_000)).toBeNull();
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const stored = await relayDb(db).selectFrom('events').select('sequence').execute();
    expect(stored).toHaveLength(3); // committed before the crash, never acknowledged
    expect(depot.outbox).toHaveLength(3);

    const successor = await spawnRelay(db, relayKeys.secretKey);
    children.push(successor);
    depot.relayPort = successor.port;
    expect(await depot.checkIn()).not.toBeNull();
    expect(depot.acks.get(depot.epoch)).toBe(3);
    expect(depot.outbox).toEqual([]);
    const after = await relayDb(db).selectFrom('events').select('sequence').orderBy('sequence').execute();
    expect(after.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });
});
