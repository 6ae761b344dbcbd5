import type { Kysely } from 'kysely';
import { type Depot, listDepots } from './depots.js';
import { toNumber } from './row-values.js';
import type { DepotRole, Schema } from './schema.js';

/** Roles a user can hold on one depot (docs/design.md, The portal), strongest first. */
export const DEPOT_ROLES: readonly DepotRole[] = ['owner', 'manager', 'viewer'];

export function isDepotRole(value: string): value is DepotRole {
  return (DEPOT_ROLES as readonly string[]).includes(value);
}

/**
 * Gives a user a role on a depot, replacing any role they had there; returns
 * the role before (null if none) so the caller can write the audit entry.
 */
export async function grantDepotRole(
  db: Kysely<Schema>,
  input: { depotId: number; userId: number; role: DepotRole; nowMs: number },
): Promise<{ before: DepotRole | null }> {
  if (!isDepotRole(input.role)) throw new RangeError(`a role must be one of ${DEPOT_ROLES.join(', ')}`);
  const before = await roleOn(db, input.depotId, input.userId);
  if (before === null) {
    await db
      .insertInto('depot_grants')
      .values({ depot_id: input.depotId, user_id: input.userId, role: input.role, created_at_ms: input.nowMs })
      .execute();
  } else if (before !== input.role) {
    await db
      .updateTable('depot_grants')
      .set({ role: input.role })
      .where('depot_id', '=', input.depotId)
      .where('user_id', '=', input.userId)
      .execute();
  }
  return { before };
}

/** Takes a user's role on a depot away; returns the role they had (null if none). */
export async function removeDepotGrant(
  db: Kysely<Schema>,
  input: { depotId: number; userId: number },
): Promise<{ before: DepotRole | null }> {
  const before = await roleOn(db, input.depotId, input.userId);
  if (before !== null) {
    await db
      .deleteFrom('depot_grants')
      .where('depot_id', '=', input.depotId)
      .where('user_id', '=', input.userId)
      .execute();
  }
  return { before };
}

/** The user's role on the depot, or null: the portal scopes every query by this. */
export async function roleOn(db: Kysely<Schema>, depotId: number, userId: number): Promise<DepotRole | null> {
  const row = await db
    .selectFrom('depot_grants')
    .select('role')
    .where('depot_id', '=', depotId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && isDepotRole(row.role) ? row.role : null;
}

/** The depots a user holds a role on, in depot id order. */
export async function listDepotsForUser(
  db: Kysely<Schema>,
  userId: number,
): Promise<Array<{ depot: Depot; role: DepotRole }>> {
  const grants = await db
    .selectFrom('depot_grants')
    .select(['depot_id', 'role'])
    .where('user_id', '=', userId)
    .execute();
  if (grants.length === 0) return [];
  const roles = new Map(grants.map((g) => [toNumber(g.depot_id), g.role]));
  const depots = (await listDepots(db)).filter((depot) => roles.has(depot.id));
  return depots.map((depot) => ({ depot, role: roles.get(depot.id) as DepotRole }));
}

/** Who holds which role on a depot, in user id order. */
export async function listGrantsForDepot(
  db: Kysely<Schema>,
  depotId: number,
): Promise<Array<{ userId: number; username: string; role: DepotRole }>> {
  const rows = await db
    .selectFrom('depot_grants')
    .innerJoin('users', 'users.id', 'depot_grants.user_id')
    .select(['depot_grants.user_id', 'users.username', 'depot_grants.role'])
    .where('depot_grants.depot_id', '=', depotId)
    .orderBy('depot_grants.user_id')
    .execute();
  return rows.map((row) => ({ userId: toNumber(row.user_id), username: row.username, role: row.role }));
}
