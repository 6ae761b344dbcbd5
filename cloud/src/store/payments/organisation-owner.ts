import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';

/**
 * Whether a user is an owner of the organisation: a member of it who holds
 * the owner role on every live depot it has (and it has one). Organisation
 * settings such as where its customers' money goes belong to whoever owns
 * all of its depots; an owner of one branch's depot does not redirect the
 * payments of the others (docs/operations.md, "Payment").
 */
export async function isOrganisationOwner(
  db: Kysely<Schema>,
  organisationId: number,
  userId: number,
): Promise<boolean> {
  const depots = await db
    .selectFrom('depots')
    .leftJoin('depot_grants', (join) =>
      join.onRef('depot_grants.depot_id', '=', 'depots.id').on('depot_grants.user_id', '=', userId),
    )
    .select(['depots.id', 'depot_grants.role'])
    .where('depots.organisation_id', '=', organisationId)
    .where('depots.revoked_at_ms', 'is', null)
    .execute();
  return depots.length > 0 && depots.every((d) => d.role === 'owner');
}

/** Whether the user is a member of the organisation at all (a non-member sees its pages as missing). */
export async function isOrganisationMember(
  db: Kysely<Schema>,
  organisationId: number,
  userId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The organisations the user owns (for the payment settings link). */
export async function ownedOrganisations(db: Kysely<Schema>, userId: number): Promise<{ id: number; name: string }[]> {
  const rows = await db
    .selectFrom('organisation_members')
    .innerJoin('organisations', 'organisations.id', 'organisation_members.organisation_id')
    .select(['organisations.id', 'organisations.name'])
    .where('organisation_members.user_id', '=', userId)
    .orderBy('organisations.name')
    .execute();
  const owned: { id: number; name: string }[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    if (await isOrganisationOwner(db, id, userId)) owned.push({ id, name: row.name });
  }
  return owned;
}
