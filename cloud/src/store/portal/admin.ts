import type { Kysely } from 'kysely';
import { endSessionsOf } from '../../portal/session/portal-sessions.js';
import { appendAudit } from '../audit.js';
import { inTransaction } from '../depots.js';
import { createOrganisation, type Organisation } from '../organisations.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';
import { findUserById, findUserByUsername, type User } from '../users.js';
import { addMemberAudited, type ChangedBy } from './grants-admin.js';

// The service operator's view of every organisation and account. Nothing here
// deletes: accounts are disabled, and every change has its audit entry.

export interface OrganisationSummary {
  readonly id: number;
  readonly name: string;
  readonly createdAtMs: number;
  readonly depots: number;
  readonly members: number;
}

/** Every organisation with how many depots and members it has, by name. */
export async function listOrganisationSummaries(db: Kysely<Schema>): Promise<OrganisationSummary[]> {
  const rows = await db
    .selectFrom('organisations as o')
    .select((eb) => [
      'o.id',
      'o.name',
      'o.created_at_ms',
      eb
        .selectFrom('depots')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('depots.organisation_id', '=', 'o.id')
        .as('depots'),
      eb
        .selectFrom('organisation_members')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('organisation_members.organisation_id', '=', 'o.id')
        .as('members'),
    ])
    .orderBy('o.name')
    .execute();
  return rows.map((r) => ({
    id: toNumber(r.id),
    name: r.name,
    createdAtMs: toNumber(r.created_at_ms),
    depots: toNumber(r.depots ?? 0),
    members: toNumber(r.members ?? 0),
  }));
}

export interface UserSummary {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly isOperator: boolean;
  readonly disabledAtMs: number | null;
  readonly createdAtMs: number;
  /** Names of the organisations the user is a member of. */
  readonly organisations: readonly string[];
}

/** Every account (disabled ones too), by user name, with their organisations. */
export async function listUserSummaries(db: Kysely<Schema>): Promise<UserSummary[]> {
  const users = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'is_operator', 'disabled_at_ms', 'created_at_ms'])
    .orderBy('username')
    .execute();
  const memberships = await db
    .selectFrom('organisation_members as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['m.user_id', 'o.name'])
    .orderBy('o.name')
    .execute();
  const byUser = new Map<number, string[]>();
  for (const m of memberships) {
    const id = toNumber(m.user_id);
    byUser.set(id, [...(byUser.get(id) ?? []), m.name]);
  }
  return users.map((u) => ({
    id: toNumber(u.id),
    username: u.username,
    displayName: u.display_name,
    isOperator: toNumber(u.is_operator) !== 0,
    disabledAtMs: toNumberOrNull(u.disabled_at_ms),
    createdAtMs: toNumber(u.created_at_ms),
    organisations: byUser.get(toNumber(u.id)) ?? [],
  }));
}

/** Members of one organisation, by user name. */
export async function listMembers(db: Kysely<Schema>, organisationId: number): Promise<UserSummary[]> {
  const ids = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .execute();
  const wanted = new Set(ids.map((r) => toNumber(r.user_id)));
  return (await listUserSummaries(db)).filter((u) => wanted.has(u.id));
}

/** Creates an organisation with its audit entry (OrganisationExistsError for a taken name). */
export async function createOrganisationAudited(
  db: Kysely<Schema>,
  name: string,
  by: ChangedBy,
): Promise<Organisation> {
  return inTransaction(db, async (trx) => {
    const organisation = await createOrganisation(trx, { name, nowMs: by.nowMs });
    await appendAudit(trx, {
      atMs: by.nowMs,
      actor: 'user',
      actorUserId: by.userId,
      action: 'organisation.create',
      organisationId: organisation.id,
      subject: organisation.name,
      after: organisation,
      address: by.address,
    });
    return organisation;
  });
}

/** Adds an existing user to an organisation by name; false-y reasons for the page. */
export async function addMemberByUsername(
  db: Kysely<Schema>,
  organisationId: number,
  username: string,
  by: ChangedBy,
): Promise<{ ok: true; user: User } | { ok: false; reason: 'no-user' | 'member' }> {
  return inTransaction(db, async (trx) => {
    const user = await findUserByUsername(trx, username);
    if (!user) return { ok: false, reason: 'no-user' };
    return (await addMemberAudited(trx, organisationId, user, by))
      ? { ok: true, user }
      : { ok: false, reason: 'member' };
  });
}

/** A change made at the command line: audited as actor 'cli', without a user or an address. */
export interface ChangedAtCli {
  readonly actor: 'cli';
  readonly nowMs: number;
}

/** Disabling this account would leave no enabled service operator, and no one to enable accounts again. */
export class LastOperatorError extends Error {
  override name = 'LastOperatorError';
  constructor(readonly username: string) {
    super(`${username} is the last enabled service operator; create or enable another operator first`);
  }
}

/**
 * Disables or enables an account. Disabling ends every session of it at once
 * (verifyPassword already refuses a disabled account); the row stays, with
 * its history. Returns the user before the change, null if there is none.
 * Refuses (LastOperatorError) to disable the last enabled service operator:
 * the portal's own rule "never oneself" covers it there, the command line
 * has no self.
 */
export async function setUserDisabled(
  db: Kysely<Schema>,
  userId: number,
  disabled: boolean,
  by: ChangedBy | ChangedAtCli,
): Promise<User | null> {
  return inTransaction(db, async (trx) => {
    const before = await findUserById(trx, userId);
    if (!before) return null;
    if ((before.disabledAtMs !== null) === disabled) return before;
    if (disabled && before.isOperator && (await enabledOperatorsBesides(trx, userId)) === 0) {
      throw new LastOperatorError(before.username);
    }
    await trx
      .updateTable('users')
      .set({ disabled_at_ms: disabled ? by.nowMs : null })
      .where('id', '=', userId)
      .execute();
    if (disabled) await endSessionsOf(trx, userId, by.nowMs);
    await appendAudit(trx, {
      atMs: by.nowMs,
      ...('actor' in by ? { actor: 'cli' } : { actor: 'user', actorUserId: by.userId, address: by.address }),
      action: disabled ? 'user.disable' : 'user.enable',
      subject: before.username,
      before: { disabled: before.disabledAtMs !== null },
      after: { disabled },
    });
    return before;
  });
}

async function enabledOperatorsBesides(db: Kysely<Schema>, userId: number): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_operator', '=', 1)
    .where('disabled_at_ms', 'is', null)
    .where('id', '!=', userId)
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}
