import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/store/migrate.js';
import { backfillNewestEvent } from '../src/store/migrations/008-depot-newest-event.js';
import { createTestDatabase, type TestDatabase, testDialects } from './databases.js';

describe.each(testDialects())('migrations on %s', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('create every table, and a second run applies nothing', async () => {
    database = await createTestDatabase(dialect);
    const tables = (await database.db.introspection.getTables()).map((t) => t.name);
    for (const table of ['organisations', 'users', 'depots', 'compartments', 'depot_sessions', 'events', 'commands']) {
      expect(tables).toContain(table);
    }
    expect(await migrateToLatest(database)).toEqual([]);
    if (dialect === 'sqlite') expect(statSync(database.url.slice('sqlite:'.length)).mode & 0o777).toBe(0o600);
  });

  it('keep an event unique on depot, journal epoch and sequence', async () => {
    database = await createTestDatabase(dialect);
    const { db } = database;
    const org = await db.insertInto('organisations').values({ name: 'Werkstatt', created_at_ms: 1 }).executeTakeFirst();
    const depot = await db
      .insertInto('depots')
      .values({
        organisation_id: Number(org.insertId),
        name: 'Hof',
        public_key: new Uint8Array(32).fill(7),
        offline_key_id: 1,
        compartment_count: 6,
        created_at_ms: 1,
      })
      .executeTakeFirst();
    const event = {
      depot_id: Number(depot.insertId),
      journal_epoch: new Uint8Array(8).fill(1),
      sequence: 1,
      kind: 2,
      compartment: 1,
      depot_time_ms: 5,
      received_at_ms: 6,
    };
    await db.insertInto('events').values(event).execute();
    await expect(db.insertInto('events').values(event).execute()).rejects.toThrow();
    const stored = await db.selectFrom('events').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0].journal_epoch)).toEqual(Buffer.alloc(8, 1));

    // Events stored behind the relay's back (a bulk load, or rows from before migration 008): the
    // backfill sets each depot's newest arrival from them.
    await db
      .insertInto('events')
      .values({ ...event, sequence: 2, received_at_ms: 9 })
      .execute();
    await backfillNewestEvent(db);
    const row = await db.selectFrom('depots').select('last_event_ms').executeTakeFirstOrThrow();
    expect(Number(row.last_event_ms)).toBe(9);
  });
});
