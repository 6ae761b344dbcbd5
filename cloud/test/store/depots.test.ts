import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDepot,
  DepotNotFoundError,
  DepotRevokedError,
  findDepotById,
  findDepotByPublicKey,
  listDepots,
  rekeyDepot,
  requireDepot,
  revokeDepot,
} from '../../src/store/depots.js';
import { createOrganisation } from '../../src/store/organisations.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';

const key = () => new Uint8Array(randomBytes(32));

describe.each(testDialects())('depots on %s', (dialect) => {
  let database: TestDatabase;
  let orgId: number;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    orgId = (await createOrganisation(database.db, { name: 'Werkstatt', nowMs: 1 })).id;
  });
  afterEach(() => database.dispose());

  it('create a depot with its compartments, found by id and by public key', async () => {
    const { db } = database;
    const publicKey = key();
    const depot = await createDepot(db, {
      organisationId: orgId,
      name: 'Hof',
      address: 'Hauptstraße 1',
      publicKey,
      compartmentCount: 6,
      nowMs: 1_700_000_000_000,
    });
    expect(depot).toEqual({
      id: expect.any(Number),
      organisationId: orgId,
      name: 'Hof',
      address: 'Hauptstraße 1',
      publicKey,
      offlineKeyId: 1,
      compartmentCount: 6,
      timeZone: 'Europe/Berlin',
      language: 'de',
      firmwareVersion: null,
      lastSeenMs: null,
      online: false,
      revokedAtMs: null,
      createdAtMs: 1_700_000_000_000,
    });
    expect(depot.publicKey).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(depot.publicKey)).toBe(false);
    expect(await findDepotById(db, depot.id)).toEqual(depot);
    expect(await findDepotByPublicKey(db, publicKey)).toEqual(depot);
    expect(await findDepotByPublicKey(db, key())).toBeNull();
    const compartments = await db
      .selectFrom('compartments')
      .select(['number', 'locked'])
      .where('depot_id', '=', depot.id)
      .orderBy('number')
      .execute();
    expect(compartments.map((c) => [Number(c.number), Number(c.locked)])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 1]),
    );
  });

  it('refuse a second depot with the same public key and leave no compartments behind', async () => {
    const { db } = database;
    const publicKey = key();
    await createDepot(db, { organisationId: orgId, name: 'A', publicKey, compartmentCount: 2, nowMs: 1 });
    await expect(
      createDepot(db, { organisationId: orgId, name: 'B', publicKey, compartmentCount: 3, nowMs: 2 }),
    ).rejects.toThrow();
    expect(await listDepots(db)).toHaveLength(1);
    const count = await db
      .selectFrom('compartments')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('refuse bad input before touching the database', async () => {
    const { db } = database;
    const base = { organisationId: orgId, name: 'A', publicKey: key(), compartmentCount: 6, nowMs: 1 };
    await expect(createDepot(db, { ...base, compartmentCount: 0 })).rejects.toThrow(/1 to 64/);
    await expect(createDepot(db, { ...base, compartmentCount: 65 })).rejects.toThrow(/1 to 64/);
    await expect(createDepot(db, { ...base, publicKey: new Uint8Array(31) })).rejects.toThrow(/32 bytes/);
    await expect(createDepot(db, { ...base, name: '  ' })).rejects.toThrow(/name/);
    expect(await listDepots(db)).toEqual([]);
  });

  it('list depots, optionally of one organisation', async () => {
    const { db } = database;
    const other = await createOrganisation(db, { name: 'Andere', nowMs: 1 });
    const a = await createDepot(db, {
      organisationId: orgId,
      name: 'A',
      publicKey: key(),
      compartmentCount: 1,
      nowMs: 1,
    });
    const b = await createDepot(db, {
      organisationId: other.id,
      name: 'B',
      publicKey: key(),
      compartmentCount: 1,
      nowMs: 1,
    });
    expect((await listDepots(db)).map((d) => d.id)).toEqual([a.id, b.id]);
    expect((await listDepots(db, { organisationId: other.id })).map((d) => d.id)).toEqual([b.id]);
  });

  it('rekey: a new public key, the stamp cleared, the sessions gone, the offline id bumped only on request', async () => {
    const { db } = database;
    const oldKey = key();
    const depot = await createDepot(db, {
      organisationId: orgId,
      name: 'A',
      publicKey: oldKey,
      compartmentCount: 1,
      nowMs: 1,
    });
    await db
      .updateTable('depots')
      .set({ handshake_stamp: new Uint8Array(8).fill(9) })
      .where('id', '=', depot.id)
      .execute();
    await db
      .insertInto('depot_sessions')
      .values({
        session_id: 77,
        depot_id: depot.id,
        // Never opened here: these rows are not handshakes, so there are no keys to seal.
        keys_sealed: new Uint8Array(0),
        remote_id: 5,
        created_at_ms: 1,
      })
      .execute();

    const newKey = key();
    const { before, after } = await rekeyDepot(db, { depotId: depot.id, publicKey: newKey });
    expect(before.publicKey).toEqual(oldKey);
    expect(after.publicKey).toEqual(newKey);
    expect(after.offlineKeyId).toBe(1);
    expect(await findDepotByPublicKey(db, oldKey)).toBeNull();
    expect((await findDepotByPublicKey(db, newKey))?.id).toBe(depot.id);
    const row = await db
      .selectFrom('depots')
      .select('handshake_stamp')
      .where('id', '=', depot.id)
      .executeTakeFirstOrThrow();
    expect(row.handshake_stamp).toBeNull();
    expect(await db.selectFrom('depot_sessions').selectAll().execute()).toEqual([]);

    const again = await rekeyDepot(db, { depotId: depot.id, publicKey: key(), newOfflineKey: true });
    expect(again.after.offlineKeyId).toBe(2);
  });

  it('revoke: sets revoked_at_ms once, drops sessions, and a revoked depot cannot be rekeyed', async () => {
    const { db } = database;
    const depot = await createDepot(db, {
      organisationId: orgId,
      name: 'A',
      publicKey: key(),
      compartmentCount: 1,
      nowMs: 1,
    });
    await db
      .insertInto('depot_sessions')
      .values({
        session_id: 78,
        depot_id: depot.id,
        // Never opened here: these rows are not handshakes, so there are no keys to seal.
        keys_sealed: new Uint8Array(0),
        remote_id: 5,
        created_at_ms: 1,
      })
      .execute();
    const { before, after } = await revokeDepot(db, { depotId: depot.id, nowMs: 5000 });
    expect(before.revokedAtMs).toBeNull();
    expect(after.revokedAtMs).toBe(5000);
    expect(await db.selectFrom('depot_sessions').selectAll().execute()).toEqual([]);
    expect((await revokeDepot(db, { depotId: depot.id, nowMs: 9000 })).after.revokedAtMs).toBe(5000);
    await expect(rekeyDepot(db, { depotId: depot.id, publicKey: key() })).rejects.toBeInstanceOf(DepotRevokedError);
  });

  it('name the missing depot', async () => {
    const { db } = database;
    await expect(requireDepot(db, 999)).rejects.toThrow(new DepotNotFoundError(999));
    await expect(revokeDepot(db, { depotId: 999, nowMs: 1 })).rejects.toBeInstanceOf(DepotNotFoundError);
    await expect(rekeyDepot(db, { depotId: 999, publicKey: key() })).rejects.toBeInstanceOf(DepotNotFoundError);
  });
});
