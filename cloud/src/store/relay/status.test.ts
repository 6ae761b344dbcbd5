import { FrameKind, type StatusFrame } from '@keydepot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from '../../../test/databases.js';
import { relayDb } from './relay-schema.js';
import { storeUplinks, type Uplink } from './uplinks.js';

const SESSION = 77;
const STAMP = 1_700_000_000_000;

function status(doorOpen: boolean): StatusFrame {
  return {
    kind: FrameKind.Status,
    uptimeSeconds: 10,
    lastCommandId: 0,
    outboxSize: 0,
    lockoutUntilMs: 0,
    failedAttempts: 0,
    clockKnown: true,
    firmwareVersion: 't-1',
    compartments: [{ doorOpen, keyPresent: true, keySensor: true, locked: !doorOpen }],
  };
}

describe.each(testDialects())('storeUplinks: STATUS order with unchanged statuses skipped (%s)', (dialect) => {
  let store: TestDatabase;
  let depotId: number;
  const uplink = (counter: number, doorOpen: boolean): Uplink => ({
    depotId,
    sessionId: SESSION,
    sessionStamp: STAMP,
    counter,
    endpoint: '127.0.0.1:1',
    confirms: false,
    events: [],
    status: status(doorOpen),
    results: [],
  });
  const stored = () =>
    relayDb(store).selectFrom('depot_status').select(['counter', 'compartments']).executeTakeFirstOrThrow();

  beforeEach(async () => {
    store = await createTestDatabase(dialect);
    const db = relayDb(store);
    const org = await db.insertInto('organisations').values({ name: 'o', created_at_ms: 1 }).executeTakeFirstOrThrow();
    const depot = await db
      .insertInto('depots')
      .values({
        organisation_id: Number(org.insertId),
        name: 'd',
        public_key: new Uint8Array(32).fill(1),
        compartment_count: 1,
        created_at_ms: 1,
      })
      .executeTakeFirstOrThrow();
    depotId = Number(depot.insertId);
    await db
      .insertInto('depot_sessions')
      .values({
        session_id: SESSION,
        depot_id: depotId,
        // Never opened here: these rows are not handshakes, so there are no keys to seal.
        keys_sealed: new Uint8Array(0),
        remote_id: 1,
        created_at_ms: 1,
        stamp: STAMP,
      })
      .execute();
  });
  afterEach(() => store.dispose());

  it('skips an unchanged STATUS, yet an older different one arriving late does not roll it back', async () => {
    await storeUplinks(store, [uplink(10, false)], 1_000);
    await storeUplinks(store, [uplink(12, false)], 1_100);
    expect((await stored()).counter).toBe(10);
    // Counter 11 (door open) was sent before 12 (door closed) and arrives after it.
    await storeUplinks(store, [uplink(11, true)], 1_200);
    expect([...(await stored()).compartments]).toEqual([2 | 4 | 8]);
  });

  it('does not take a STATUS whose counter another relay has already passed on the same session', async () => {
    await storeUplinks(store, [uplink(10, false)], 1_000);
    // Another relay stored counter 14 (a telegram without STATUS); 13 with a new door state comes here late.
    await relayDb(store).updateTable('depot_sessions').set({ receive_counter_highest: 14 }).execute();
    await storeUplinks(store, [uplink(13, true)], 1_100);
    expect(await stored()).toMatchObject({ counter: 10 });
    // The next telegram beyond 14 counts again.
    await storeUplinks(store, [uplink(15, true)], 1_200);
    expect(await stored()).toMatchObject({ counter: 15 });
  });

  it('writes a changed STATUS at once and an unchanged one again after a second', async () => {
    await storeUplinks(store, [uplink(10, false)], 1_000);
    await storeUplinks(store, [uplink(11, true)], 1_100);
    expect(await stored()).toMatchObject({ counter: 11 });
    expect([...(await stored()).compartments]).toEqual([1 | 2 | 4]);
    await storeUplinks(store, [uplink(12, true)], 2_100);
    expect(await stored()).toMatchObject({ counter: 12 });
  });

  it('stores text as sent, quotes and backslashes included (MySQL writes the batch as literals)', async () => {
    const awkward = 't\'1\\\'); -- "x"'; // fits the 32 characters of a version
    const endpoint = "[::1]'\\:9";
    await storeUplinks(
      store,
      [{ ...uplink(10, false), endpoint, status: { ...status(false), firmwareVersion: awkward } }],
      1_000,
    );
    const db = relayDb(store);
    expect(await db.selectFrom('depot_status').select('firmware_version').executeTakeFirstOrThrow()).toEqual({
      firmware_version: awkward,
    });
    expect(await db.selectFrom('depots').select('firmware_version').executeTakeFirstOrThrow()).toEqual({
      firmware_version: awkward,
    });
    expect(await db.selectFrom('depot_sessions').select('endpoint').executeTakeFirstOrThrow()).toEqual({ endpoint });
  });
});
