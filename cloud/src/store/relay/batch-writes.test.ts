import { FrameKind, type StatusFrame } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDialects } from '../../../test/databases.js';
import { raiseLastAppliedMany } from './commands.js';
import { markSeenMysql } from './presence.js';
import { type RelaySchema, relayDb } from './relay-schema.js';
import { reserveCountersInMany } from './sessions.js';
import { storeStatusesMysql } from './status.js';
import { LastAppliedWrites, storeUplinks, type Uplink } from './uplinks.js';
import { batchTransaction } from './uplinks-mysql.js';

// What an uplink batch writes for many depots in one statement on MariaDB:
// send-counter blocks (every session that needs one gets its own block, in the
// order asked, never overlapping another reservation, also when two
// transactions reserve at once) and each depot's last applied command.

const SESSIONS = [501, 502, 503];
const GONE = 599;

/** `count` depots, each with one session (`sessionOf(depotId, i)`, `reservedOf(i)` send counters reserved). */
async function seedDepots(
  store: TestDatabase,
  count: number,
  sessionOf: (depotId: number, i: number) => number,
  reservedOf: (i: number) => number = () => 0,
): Promise<number[]> {
  const db = relayDb(store);
  const org = await db.insertInto('organisations').values({ name: 'o', created_at_ms: 1 }).executeTakeFirstOrThrow();
  const depotIds: number[] = [];
  for (let i = 0; i < count; i++) {
    const depot = await db
      .insertInto('depots')
      .values({
        organisation_id: Number(org.insertId),
        name: `d${i}`,
        public_key: new Uint8Array(32).fill(i + 1),
        compartment_count: 1,
        created_at_ms: 1,
      })
      .executeTakeFirstOrThrow();
    const depotId = Number(depot.insertId);
    depotIds.push(depotId);
    await db
      .insertInto('depot_sessions')
      .values({
        session_id: sessionOf(depotId, i),
        depot_id: depotId,
        // Never opened here: these rows are not handshakes, so there are no keys to seal.
        keys_sealed: new Uint8Array(0),
        remote_id: 1,
        created_at_ms: 1,
        stamp: 1,
        send_counter_reserved: reservedOf(i),
      })
      .execute();
  }
  return depotIds;
}

/** A one-compartment STATUS; `counter` doubles as uptime and last applied command. */
const statusFrame = (counter: number): StatusFrame => ({
  kind: FrameKind.Status,
  uptimeSeconds: counter,
  lastCommandId: counter,
  outboxSize: 0,
  lockoutUntilMs: 0,
  failedAttempts: 0,
  clockKnown: true,
  firmwareVersion: 't-1',
  compartments: [{ doorOpen: false, keyPresent: true, keySensor: true, locked: true }],
});

const statusUpdates = (depotIds: number[], counter: number) =>
  depotIds.map((depotId) => ({ depotId, sessionStamp: 1, counter, frame: statusFrame(counter) }));

/**
 * Runs `hold` in a transaction and keeps it open while `meanwhile` runs on
 * another connection that gives up waiting for a lock after 1 s.
 */
async function whileHeld(
  begin: () => ReturnType<typeof batchTransaction>,
  hold: (trx: Kysely<RelaySchema>) => Promise<void>,
  meanwhile: (trx: Kysely<RelaySchema>) => Promise<void>,
): Promise<void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = () => {};
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  const first = begin().execute(async (trx) => {
    await hold(trx);
    holding();
    await released;
  });
  await held;
  try {
    await begin().execute(async (trx) => {
      await sql`SET SESSION innodb_lock_wait_timeout = 1`.execute(trx);
      await meanwhile(trx);
    });
  } finally {
    release();
    await first;
  }
}

describe.each(testDialects())('send-counter blocks reserved by a batch (%s)', (dialect) => {
  let store: TestDatabase;
  let depotIds: number[];

  beforeEach(async () => {
    store = await createTestDatabase(dialect);
    depotIds = await seedDepots(
      store,
      SESSIONS.length,
      (_, i) => SESSIONS[i] as number,
      (i) => 10 * i,
    );
  });
  afterEach(() => store.dispose());

  const reserved = async () =>
    Object.fromEntries(
      (await relayDb(store).selectFrom('depot_sessions').select(['session_id', 'send_counter_reserved']).execute()).map(
        (r) => [Number(r.session_id), Number(r.send_counter_reserved)],
      ),
    );

  it('gives each session of the batch its block, in the order asked, and none to a session that is gone', async () => {
    const uplinks: Uplink[] = SESSIONS.map((sessionId, i) => ({
      depotId: depotIds[i] as number,
      sessionId,
      sessionStamp: 1,
      counter: 1,
      endpoint: '127.0.0.1:1',
      confirms: false,
      events: [],
      status: undefined,
      results: [],
    }));
    const stored = await storeUplinks(store, uplinks, 1_000, {
      inTransaction: () => ({
        markSent: new Map(),
        reserve: [
          { sessionId: 503, count: 64 },
          { sessionId: GONE, count: 64 },
          { sessionId: 501, count: 100 },
        ],
      }),
    });
    expect(stored.blocks).toEqual([{ start: 20, end: 84 }, undefined, { start: 0, end: 100 }]);
    expect(await reserved()).toEqual({ 501: 100, 502: 10, 503: 84 });
  });

  it('never hands out overlapping blocks: two transactions at once, and one session asked for twice', async () => {
    const db = relayDb(store);
    const ask = [
      { sessionId: 501, count: 64 },
      { sessionId: 502, count: 64 },
    ];
    const [a, b] = await Promise.all([
      db.transaction().execute((trx) => reserveCountersInMany(trx, dialect, ask)),
      db.transaction().execute((trx) => reserveCountersInMany(trx, dialect, [...ask].reverse())),
    ]);
    const twice = await db.transaction().execute((trx) =>
      reserveCountersInMany(trx, dialect, [
        { sessionId: 503, count: 5 },
        { sessionId: 503, count: 7 },
      ]),
    );
    // 501: [0,64) and [64,128) in some order; 502: [10,74) and [74,138); 503: [20,25) then [25,32).
    const sorted = (xs: ({ start: number; end: number } | undefined)[]) =>
      xs.map((x) => [x?.start, x?.end]).sort((p, q) => (p[0] ?? 0) - (q[0] ?? 0));
    expect(sorted([a[0], b[1]])).toEqual([
      [0, 64],
      [64, 128],
    ]);
    expect(sorted([a[1], b[0]])).toEqual([
      [10, 74],
      [74, 138],
    ]);
    expect(twice).toEqual([
      { start: 20, end: 25 },
      { start: 25, end: 32 },
    ]);
    expect(await reserved()).toEqual({ 501: 128, 502: 138, 503: 32 });
  });

  it('raises the last applied command of every depot in one batch, never lowers it', async () => {
    const db = relayDb(store);
    await db
      .updateTable('depots')
      .set({ last_applied_command_id: 9 })
      .where('id', '=', depotIds[1] as number)
      .execute();
    const [first, second, third] = depotIds as [number, number, number];
    await raiseLastAppliedMany(
      db,
      dialect,
      new Map([
        [first, 4],
        [second, 3],
        [third, 0],
      ]),
    );
    const rows = await db.selectFrom('depots').select(['id', 'last_applied_command_id']).orderBy('id').execute();
    expect(rows.map((r) => Number(r.last_applied_command_id))).toEqual([4, 9, 0]);
  });

  it('skips a last applied command this process already committed, and raises a higher one', async () => {
    const db = relayDb(store);
    const [first, second] = depotIds as [number, number];
    const checkIn = (depotId: number, sessionId: number, counter: number, lastCommandId: number): Uplink => ({
      depotId,
      sessionId,
      sessionStamp: 1,
      counter,
      endpoint: '127.0.0.1:1',
      confirms: false,
      events: [],
      status: { ...statusFrame(counter), lastCommandId },
      results: [],
    });
    const lastApplied = new LastAppliedWrites();
    const applied = async () =>
      (await db.selectFrom('depots').select('last_applied_command_id').orderBy('id').execute()).map((r) =>
        Number(r.last_applied_command_id),
      );
    await storeUplinks(store, [checkIn(first, 501, 1, 7), checkIn(second, 502, 1, 7)], 1_000, { lastApplied });
    expect((await applied()).slice(0, 2)).toEqual([7, 7]);
    // Rows changed behind the process's back (nothing does this but a test): only a skipped write leaves them.
    await db.updateTable('depots').set({ last_applied_command_id: 3 }).execute();
    const stored = await storeUplinks(store, [checkIn(first, 501, 2, 7), checkIn(second, 502, 2, 8)], 2_000, {
      lastApplied,
    });
    expect((await applied()).slice(0, 2)).toEqual([3, 8]);
    // The relay still learns what each depot reported, written or not.
    expect(stored.lastApplied).toEqual(
      new Map([
        [first, 7],
        [second, 8],
      ]),
    );
  });
});

// MariaDB only (SQLite has one writer): two uplink lanes store disjoint depots at once. A locking
// statement over `id IN (…)` that scanned the whole table would lock the other lane's rows too.
describe.each(testDialects().filter((d) => d === 'mysql'))('two lanes, disjoint depots (%s)', (dialect) => {
  let store: TestDatabase;
  let depotIds: number[];
  const sessionOf = (depotId: number) => 1_000 + depotId;

  beforeEach(async () => {
    store = await createTestDatabase(dialect);
    depotIds = await seedDepots(store, 10, sessionOf);
    // A stored STATUS for every depot, so the lanes' reads have rows to lock.
    await relayDb(store)
      .transaction()
      .execute((trx) => storeStatusesMysql(trx, statusUpdates(depotIds, 1), 1_000));
  });
  afterEach(() => store.dispose());

  /** Every locking batch statement over `id IN (…)`, for `ids`. */
  const batchWrites = async (trx: Kysely<RelaySchema>, ids: number[], counter: number) => {
    await markSeenMysql(trx, ids, 5_000 + counter);
    await storeStatusesMysql(trx, statusUpdates(ids, counter), 5_000 + counter);
    await raiseLastAppliedMany(trx, dialect, new Map(ids.map((id) => [id, counter])));
    await reserveCountersInMany(
      trx,
      dialect,
      ids.map((id) => ({ sessionId: sessionOf(id), count: 64 })),
    );
  };

  it('one lane holding its half of the depots does not block the other half', async () => {
    const db = relayDb(store);
    await whileHeld(
      () => db.transaction(),
      (trx) => batchWrites(trx, depotIds.slice(0, 5), 2),
      (trx) => batchWrites(trx, depotIds.slice(5), 3),
    );
    const applied = await db.selectFrom('depots').select('last_applied_command_id').orderBy('id').execute();
    expect(applied.map((r) => Number(r.last_applied_command_id))).toEqual([2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });
});

// MariaDB only: depots that have no stored STATUS yet, stored by two lanes at once. Under REPEATABLE
// READ the first lane's read FOR UPDATE and insert lock gaps that the second lane's read and insert need.
describe.each(testDialects().filter((d) => d === 'mysql'))(
  'two lanes, depots without a stored STATUS (%s)',
  (dialect) => {
    let store: TestDatabase;
    let depotIds: number[];

    beforeEach(async () => {
      store = await createTestDatabase(dialect);
      depotIds = await seedDepots(store, 6, (depotId) => 2_000 + depotId);
    });
    afterEach(() => store.dispose());

    it('a lane still committing the higher depots does not hold up the lower ones', async () => {
      const db = relayDb(store);
      await whileHeld(
        () => batchTransaction(db),
        (trx) => storeStatusesMysql(trx, statusUpdates(depotIds.slice(3), 1), 1_000),
        (trx) => storeStatusesMysql(trx, statusUpdates(depotIds.slice(0, 3), 1), 1_000),
      );
      expect(await db.selectFrom('depot_status').select('depot_id').execute()).toHaveLength(6);
    });
  },
);
