import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { organisationNameUnique } from '../../src/store/migrations/009-organisation-name-unique.js';
import {
  addOrganisationMember,
  createOrganisation,
  findOrganisationById,
  findOrganisationByName,
  listOrganisations,
  OrganisationExistsError,
  organisationsOfUser,
} from '../../src/store/organisations.js';
import {
  createUser,
  findUserById,
  findUserByUsername,
  UserExistsError,
  verifyPassword,
} from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';

describe.each(testDialects())('organisations and users on %s', (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(() => database.dispose());

  it('create and find organisations, with unique names', async () => {
    const { db } = database;
    const werkstatt = await createOrganisation(db, { name: ' Werkstatt ', nowMs: 1000 });
    const hof = await createOrganisation(db, { name: 'Hof', nowMs: 2000 });
    expect(werkstatt).toEqual({ id: expect.any(Number), name: 'Werkstatt', createdAtMs: 1000 });
    expect(hof.id).toBeGreaterThan(werkstatt.id);
    expect(await findOrganisationById(db, werkstatt.id)).toEqual(werkstatt);
    expect(await findOrganisationByName(db, 'Hof')).toEqual(hof);
    expect(await findOrganisationByName(db, 'Nobody')).toBeNull();
    expect(await listOrganisations(db)).toEqual([werkstatt, hof]);
    await expect(createOrganisation(db, { name: 'Hof', nowMs: 3 })).rejects.toBeInstanceOf(OrganisationExistsError);
  });

  it('keep names unique in the database too: of two creates racing, one wins and the other is told', async () => {
    const { db } = database;
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => createOrganisation(db, { name: 'Autohaus Zeit', nowMs: 1000 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OrganisationExistsError);
    }
    await expect(
      db.insertInto('organisations').values({ name: 'Autohaus Zeit', created_at_ms: 1 }).execute(),
    ).rejects.toThrow();
  });

  it('migration 009 renames names duplicated before it, keeping the oldest, then builds the unique index', async () => {
    const { db } = database;
    await sql
      .raw(dialect === 'mysql' ? 'DROP INDEX organisations_name ON organisations' : 'DROP INDEX organisations_name')
      .execute(db);
    for (const name of ['Hof', 'Hof', 'Hof', 'Werkstatt']) {
      await db.insertInto('organisations').values({ name, created_at_ms: 1 }).execute();
    }
    await organisationNameUnique.up(db as unknown as Kysely<unknown>);
    const rows = await db.selectFrom('organisations').select(['id', 'name']).orderBy('id').execute();
    const [first, second, third] = rows.map((r) => Number(r.id));
    expect(rows.map((r) => r.name)).toEqual(['Hof', `Hof (${second})`, `Hof (${third})`, 'Werkstatt']);
    expect(first).toBeLessThan(second as number);
    await expect(
      db.insertInto('organisations').values({ name: 'Werkstatt', created_at_ms: 1 }).execute(),
    ).rejects.toThrow();
  });

  it('create users with an Argon2id hash and verify their passwords', async () => {
    const { db } = database;
    const anna = await createUser(db, {
      username: 'anna',
      displayName: 'Anna Berg',
      password: 'correct horse battery',
      isOperator: true,
      language: 'en',
      nowMs: 5000,
    });
    expect(anna).toEqual({
      id: expect.any(Number),
      username: 'anna',
      displayName: 'Anna Berg',
      isOperator: true,
      language: 'en',
      createdAtMs: 5000,
      disabledAtMs: null,
    });
    const stored = await db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await findUserByUsername(db, 'anna')).toEqual(anna);
    expect(await findUserById(db, anna.id)).toEqual(anna);
    expect(await verifyPassword(db, 'anna', 'correct horse battery')).toEqual(anna);
    expect(await verifyPassword(db, 'anna', 'correct horse batterx')).toBeNull();
    expect(await verifyPassword(db, 'bert', 'correct horse battery')).toBeNull();
  });

  it('refuse duplicate usernames, bad usernames and short passwords', async () => {
    const { db } = database;
    await createUser(db, { username: 'anna', password: null, nowMs: 1 });
    await expect(createUser(db, { username: 'anna', password: null, nowMs: 2 })).rejects.toBeInstanceOf(
      UserExistsError,
    );
    await expect(createUser(db, { username: 'a b', password: null, nowMs: 2 })).rejects.toThrow(/username/);
    await expect(createUser(db, { username: 'bert', password: 'short', nowMs: 2 })).rejects.toThrow(/12 characters/);
    expect(await findUserByUsername(db, 'bert')).toBeNull();
  });

  it('do not let a disabled or password-less account in', async () => {
    const { db } = database;
    await createUser(db, { username: 'nopass', password: null, nowMs: 1 });
    const carl = await createUser(db, { username: 'carl', password: 'a long enough password', nowMs: 1 });
    await db.updateTable('users').set({ disabled_at_ms: 9 }).where('id', '=', carl.id).execute();
    expect(await verifyPassword(db, 'nopass', '')).toBeNull();
    expect(await verifyPassword(db, 'carl', 'a long enough password')).toBeNull();
  });

  it('record organisation membership once', async () => {
    const { db } = database;
    const org = await createOrganisation(db, { name: 'Werkstatt', nowMs: 1 });
    const user = await createUser(db, { username: 'dora', password: null, nowMs: 1 });
    expect(await addOrganisationMember(db, { organisationId: org.id, userId: user.id, nowMs: 2 })).toBe(true);
    expect(await addOrganisationMember(db, { organisationId: org.id, userId: user.id, nowMs: 3 })).toBe(false);
    expect(await organisationsOfUser(db, user.id)).toEqual([org.id]);
  });
});
