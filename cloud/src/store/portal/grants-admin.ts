import { type Kysely, sql } from 'kysely';
import { createPasswordToken } from '../../portal/session/password-tokens.js';
import { appendAudit } from '../audit.js';
import type { Dialect } from '../database.js';
import { type Depot, inTransaction } from '../depots.js';
import { grantDepotRole, removeDepotGrant, roleOn } from '../grants.js';
import { addOrganisationMember } from '../organisations.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { DepotRole, Schema } from '../schema.js';
import { createUser, findUserById, type User } from '../users.js';

// Who may use a depot, as its owner manages it in the portal. Every change
// writes its audit entry in the same transaction; the last owner of a depot
// can be neither removed nor demoted, so a depot never ends up without one.

/** The owner (or operator) making a change, for the audit entry. */
export interface ChangedBy {
  readonly userId: number;
  readonly address: string;
  readonly nowMs: number;
}

export interface DepotGrantRow {
  readonly userId: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: DepotRole;
  readonly sinceMs: number;
  readonly disabledAtMs: number | null;
}

/** Who holds which role on the depot: owners first, then by name. */
export async function listDepotGrantRows(db: Kysely<Schema>, depotId: number): Promise<DepotGrantRow[]> {
  const rows = await db
    .selectFrom('depot_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.user_id', 'u.username', 'u.display_name', 'g.role', 'g.created_at_ms', 'u.disabled_at_ms'])
    .where('g.depot_id', '=', depotId)
    .orderBy(sql`CASE g.role WHEN 'owner' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END`)
    .orderBy('u.username')
    .execute();
  return rows.map((r) => ({
    userId: toNumber(r.user_id),
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    sinceMs: toNumber(r.created_at_ms),
    disabledAtMs: toNumberOrNull(r.disabled_at_ms),
  }));
}

/** Why a change was refused; the page says it in words. */
export type GrantRefusal = 'no-user' | 'disabled' | 'has-role' | 'no-grant' | 'last-owner';

export type GrantResult = { ok: true; user: User; before: DepotRole | null } | { ok: false; reason: GrantRefusal };

/**
 * Serialises grant changes of one depot (two owners demoting each other at
 * once must not leave it ownerless). MariaDB: a row lock on the depot; SQLite
 * runs one write transaction at a time anyway.
 */
async function lockDepot(trx: Kysely<Schema>, dialect: Dialect, depotId: number): Promise<void> {
  if (dialect === 'mysql') await sql`SELECT id FROM depots WHERE id = ${depotId} FOR UPDATE`.execute(trx);
}

async function ownerCount(trx: Kysely<Schema>, depotId: number): Promise<number> {
  const row = await trx
    .selectFrom('depot_grants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('depot_id', '=', depotId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

async function auditGrant(
  trx: Kysely<Schema>,
  depot: Depot,
  by: ChangedBy,
  action: 'depot.grant' | 'depot.grant-remove',
  username: string,
  before: DepotRole | null,
  after: DepotRole | null,
): Promise<void> {
  await appendAudit(trx, {
    atMs: by.nowMs,
    actor: 'user',
    actorUserId: by.userId,
    action,
    organisationId: depot.organisationId,
    depotId: depot.id,
    subject: username,
    before: before === null ? undefined : { username, role: before },
    after: after === null ? undefined : { username, role: after },
    address: by.address,
  });
}

/**
 * The user of this name if they are a member of the organisation, else null:
 * one query, so a name of another organisation takes the same path as a name
 * nobody has and the caller cannot tell the two apart.
 */
export async function findMemberByUsername(
  db: Kysely<Schema>,
  organisationId: number,
  username: string,
): Promise<User | null> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('organisation_members as m', 'm.user_id', 'u.id')
    .select('u.id')
    .where('m.organisation_id', '=', organisationId)
    .where('u.username', '=', username)
    .executeTakeFirst();
  return row ? findUserById(db, toNumber(row.id)) : null;
}

/**
 * Gives an existing, enabled member of the depot's organisation a role on the
 * depot. A user of another organisation is refused exactly like an unknown
 * name: an owner may neither pull strangers into their depot (it would show
 * on their dashboard) nor learn which user names exist elsewhere.
 */
export async function addExistingUser(
  store: { db: Kysely<Schema>; dialect: Dialect },
  depot: Depot,
  input: { username: string; role: DepotRole },
  by: ChangedBy,
): Promise<GrantResult> {
  return inTransaction(store.db, async (trx) => {
    await lockDepot(trx, store.dialect, depot.id);
    const user = await findMemberByUsername(trx, depot.organisationId, input.username);
    if (!user) return { ok: false, reason: 'no-user' };
    if (user.disabledAtMs !== null) return { ok: false, reason: 'disabled' };
    if ((await roleOn(trx, depot.id, user.id)) !== null) return { ok: false, reason: 'has-role' };
    await grantFirstRole(trx, depot, user, input.role, by);
    return { ok: true, user, before: null };
  });
}

/**
 * Gives a user who has none a role on the depot, with its audit entry, and
 * makes them a member of the depot's organisation. Inside the caller's transaction.
 */
export async function grantFirstRole(
  trx: Kysely<Schema>,
  depot: Depot,
  user: User,
  role: DepotRole,
  by: ChangedBy,
): Promise<void> {
  await grantDepotRole(trx, { depotId: depot.id, userId: user.id, role, nowMs: by.nowMs });
  await auditGrant(trx, depot, by, 'depot.grant', user.username, null, role);
  await addMemberAudited(trx, depot.organisationId, user, by);
}

/**
 * A user with their role on this depot, null for anyone without one. The
 * grant is looked up first: an id of another organisation's user then costs
 * exactly what an id nobody has does, and its existence stays unseen.
 */
async function grantedUser(
  trx: Kysely<Schema>,
  depotId: number,
  userId: number,
): Promise<{ user: User; role: DepotRole } | null> {
  const role = await roleOn(trx, depotId, userId);
  const user = role === null ? null : await findUserById(trx, userId);
  return role !== null && user ? { user, role } : null;
}

/** Changes the role of someone who has one here; refuses to demote the last owner. */
export async function changeRole(
  store: { db: Kysely<Schema>; dialect: Dialect },
  depot: Depot,
  input: { userId: number; role: DepotRole },
  by: ChangedBy,
): Promise<GrantResult> {
  return inTransaction(store.db, async (trx) => {
    await lockDepot(trx, store.dialect, depot.id);
    const granted = await grantedUser(trx, depot.id, input.userId);
    if (!granted) return { ok: false, reason: 'no-grant' };
    const { user, role: before } = granted;
    if (before === 'owner' && input.role !== 'owner' && (await ownerCount(trx, depot.id)) <= 1) {
      return { ok: false, reason: 'last-owner' };
    }
    if (before !== input.role) {
      await grantDepotRole(trx, { depotId: depot.id, userId: user.id, role: input.role, nowMs: by.nowMs });
      await auditGrant(trx, depot, by, 'depot.grant', user.username, before, input.role);
    }
    return { ok: true, user, before };
  });
}

/** Takes a user's role on the depot away; refuses for the last owner. Their account stays. */
export async function removeAccess(
  store: { db: Kysely<Schema>; dialect: Dialect },
  depot: Depot,
  userId: number,
  by: ChangedBy,
): Promise<GrantResult> {
  return inTransaction(store.db, async (trx) => {
    await lockDepot(trx, store.dialect, depot.id);
    const granted = await grantedUser(trx, depot.id, userId);
    if (!granted) return { ok: false, reason: 'no-grant' };
    const { user, role: before } = granted;
    if (before === 'owner' && (await ownerCount(trx, depot.id)) <= 1) return { ok: false, reason: 'last-owner' };
    await removeDepotGrant(trx, { depotId: depot.id, userId: user.id });
    await auditGrant(trx, depot, by, 'depot.grant-remove', user.username, before, null);
    return { ok: true, user, before };
  });
}

export interface NewPortalUser {
  readonly username: string;
  readonly displayName: string;
  readonly language: 'de' | 'en';
}

/**
 * Creates an account without a password and a one-time set-password token
 * for it (returned for the link, stored only hashed), in one transaction with
 * the audit entries; `also` adds the grant or membership the caller wants.
 */
export async function createInvitedUser(
  db: Kysely<Schema>,
  input: NewPortalUser & { isOperator?: boolean },
  by: ChangedBy,
  also?: (trx: Kysely<Schema>, user: User) => Promise<void>,
): Promise<{ user: User; token: string }> {
  return inTransaction(db, async (trx) => {
    const user = await createUser(trx, { ...input, password: null, nowMs: by.nowMs });
    await appendAudit(trx, {
      atMs: by.nowMs,
      actor: 'user',
      actorUserId: by.userId,
      action: 'user.create',
      subject: user.username,
      after: user,
      address: by.address,
    });
    await also?.(trx, user);
    const token = await createPasswordToken(trx, { userId: user.id, createdByUserId: by.userId, nowMs: by.nowMs });
    return { user, token };
  });
}

/** A new user with a role on the depot: the owner's "invite" (the link is shown to the owner once). */
export async function inviteToDepot(
  store: { db: Kysely<Schema>; dialect: Dialect },
  depot: Depot,
  input: NewPortalUser & { role: DepotRole },
  by: ChangedBy,
): Promise<{ user: User; token: string }> {
  return createInvitedUser(
    store.db,
    { username: input.username, displayName: input.displayName, language: input.language },
    by,
    (trx, user) => grantFirstRole(trx, depot, user, input.role, by),
  );
}

/**
 * Makes a user a member of an organisation, with its audit entry; false when
 * they were one already. A user with a role on a depot is a member of the
 * organisation that owns it.
 */
export async function addMemberAudited(
  trx: Kysely<Schema>,
  organisationId: number,
  user: User,
  by: ChangedBy,
): Promise<boolean> {
  const added = await addOrganisationMember(trx, { organisationId, userId: user.id, nowMs: by.nowMs });
  if (!added) return false;
  await appendAudit(trx, {
    atMs: by.nowMs,
    actor: 'user',
    actorUserId: by.userId,
    action: 'organisation.member.add',
    organisationId,
    subject: user.username,
    after: { userId: user.id, username: user.username },
    address: by.address,
  });
  return true;
}
