import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, listAudit } from '../../src/store/audit.js';
import { createDepot, type Depot, inTransaction } from '../../src/store/depots.js';
import {
  grantDepotRole,
  listDepotsForUser,
  listGrantsForDepot,
  removeDepotGrant,
  roleOn,
} from '../../src/store/grants.js';
import { createOrganisation } from '../../src/store/organisations.js';
import type { DepotRole } from '../../src/store/schema.js';
import { createUser, type User } from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';

describe.each(testDialects())('grants and audit log on %s', (dialect) => {
  let database: TestDatabase;
  let depots: Depot[];
  let anna: User;
  let bert: User;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    const { db } = database;
    const org = await createOrganisation(db, { name: 'Werkstatt', nowMs: 1 });
    depots = [];
    for (const name of ['A', 'B', 'C']) {
      const publicKey = new Uint8Array(randomBytes(32));
      depots.push(await createDepot(db, { organisationId: org.id, name, publicKey, compartmentCount: 2, nowMs: 1 }));
    }
    anna = await createUser(db, { username: 'anna', password: null, nowMs: 1 });
    bert = await createUser(db, { username: 'bert', password: null, nowMs: 1 });
  });
  afterEach(() => database.dispose());

  it('grant one role per user and depot, replace it, take it away', async () => {
    const { db } = database;
    const [a, b, c] = depots;
    expect(await grantDepotRole(db, { depotId: c.id, userId: anna.id, role: 'viewer', nowMs: 2 })).toEqual({
      before: null,
    });
    await grantDepotRole(db, { depotId: a.id, userId: anna.id, role: 'owner', nowMs: 2 });
    await grantDepotRole(db, { depotId: b.id, userId: bert.id, role: 'manager', nowMs: 2 });
    expect(await grantDepotRole(db, { depotId: c.id, userId: anna.id, role: 'manager', nowMs: 3 })).toEqual({
      before: 'viewer',
    });
    expect((await listDepotsForUser(db, anna.id)).map(({ depot, role }) => [depot.name, role])).toEqual([
      ['A', 'owner'],
      ['C', 'manager'],
    ]);
    expect(await roleOn(db, b.id, anna.id)).toBeNull();
    expect(await listGrantsForDepot(db, c.id)).toEqual([{ userId: anna.id, username: 'anna', role: 'manager' }]);
    expect(await removeDepotGrant(db, { depotId: c.id, userId: anna.id })).toEqual({ before: 'manager' });
    expect(await removeDepotGrant(db, { depotId: c.id, userId: anna.id })).toEqual({ before: null });
    expect((await listDepotsForUser(db, anna.id)).map(({ depot }) => depot.name)).toEqual(['A']);
    expect(await listDepotsForUser(db, bert.id)).toHaveLength(1);
  });

  it('refuse an unknown role', async () => {
    const { db } = database;
    await expect(
      grantDepotRole(db, { depotId: depots[0].id, userId: anna.id, role: 'admin' as DepotRole, nowMs: 2 }),
    ).rejects.toThrow(/owner, manager, viewer/);
  });

  it('append audit entries with before/after JSON and list them newest first, filtered', async () => {
    const { db } = database;
    const [a, b] = depots;
    await appendAudit(db, {
      atMs: 10,
      actor: 'cli',
      action: 'depot.create',
      depotId: a.id,
      organisationId: a.organisationId,
      subject: 'A',
      after: { name: 'A', compartments: 2 },
    });
    await appendAudit(db, {
      atMs: 20,
      actor: 'user',
      actorUserId: anna.id,
      action: 'depot.rename',
      depotId: a.id,
      before: { name: 'A' },
      after: { name: 'A1' },
      address: '192.0.2.1',
    });
    await appendAudit(db, { atMs: 30, actor: 'relay', action: 'depot.offline', depotId: b.id });
    await appendAudit(db, { atMs: 40, actor: 'cli', action: 'user.create', subject: 'bert' });
    await appendAudit(db, { atMs: 40, actor: 'cli', action: 'depot_x.other' });

    const all = await listAudit(db);
    expect(all.map((e) => e.action)).toEqual([
      'depot_x.other',
      'user.create',
      'depot.offline',
      'depot.rename',
      'depot.create',
    ]);
    expect(all[3]).toEqual({
      id: expect.any(Number),
      atMs: 20,
      actor: 'user',
      actorUserId: anna.id,
      action: 'depot.rename',
      organisationId: null,
      depotId: a.id,
      subject: '',
      before: { name: 'A' },
      after: { name: 'A1' },
      address: '192.0.2.1',
    });
    expect((await listAudit(db, { depotId: a.id })).map((e) => e.atMs)).toEqual([20, 10]);
    expect((await listAudit(db, { actor: 'cli' })).map((e) => e.action)).toEqual([
      'depot_x.other',
      'user.create',
      'depot.create',
    ]);
    expect((await listAudit(db, { action: 'depot.' })).map((e) => e.action)).toEqual([
      'depot.offline',
      'depot.rename',
      'depot.create',
    ]);
    expect((await listAudit(db, { action: 'user.create' })).map((e) => e.subject)).toEqual(['bert']);
    expect((await listAudit(db, { sinceMs: 20, untilMs: 40 })).map((e) => e.atMs)).toEqual([30, 20]);
    expect((await listAudit(db, { actorUserId: anna.id, limit: 5 })).map((e) => e.atMs)).toEqual([20]);
    expect(await listAudit(db, { limit: 2 })).toHaveLength(2);
    await expect(appendAudit(db, { atMs: 1, actor: 'user', action: 'x' })).rejects.toThrow(/names the user/);
  });

  it('roll back the change and its audit entry together', async () => {
    const { db } = database;
    await expect(
      inTransaction(db, async (trx) => {
        await grantDepotRole(trx, { depotId: depots[0].id, userId: bert.id, role: 'viewer', nowMs: 5 });
        await appendAudit(trx, { atMs: 5, actor: 'cli', action: 'grant.add' });
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await roleOn(db, depots[0].id, bert.id)).toBeNull();
    expect(await listAudit(db)).toEqual([]);
  });
});
