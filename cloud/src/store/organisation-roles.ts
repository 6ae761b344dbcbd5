import type { Kysely } from 'kysely';
import { type AuditActor, appendAudit } from './audit.js';
import { inTransaction } from './depots.js';
import { toNumber } from './row-values.js';
import type { OrganisationRole, Schema } from './schema.js';

/*
 * Who may see an organisation's customers and invoices. Depot roles give
 * none of it: a depot viewer sees movements and PINs, never personal data.
 * - viewer: reads customers and invoices (an accountant);
 * - manager: also creates and changes them, marks invoices paid, releases
 *   their PINs, exports and erases (the workshop's office);
 * - the owner of a live depot of the organisation is its manager without a
 *   row here: owners run the business the depots belong to.
 */

export const ORGANISATION_ROLES: readonly OrganisationRole[] = ['viewer', 'manager'];

export function isOrganisationRole(value: unknown): value is OrganisationRole {
  return value === 'viewer' || value === 'manager';
}

/** The user's role on the organisation's customer data, or null. */
export async function organisationRoleOf(
  db: Kysely<Schema>,
  organisationId: number,
  userId: number,
): Promise<OrganisationRole | null> {
  const row = await db
    .selectFrom('organisation_roles')
    .select('role')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row && isOrganisationRole(row.role) && row.role === 'manager') return 'manager';
  const owner = await db
    .selectFrom('depot_grants as g')
    .innerJoin('depots as d', 'd.id', 'g.depot_id')
    .select('g.depot_id')
    .where('g.user_id', '=', userId)
    .where('g.role', '=', 'owner')
    .where('d.organisation_id', '=', organisationId)
    .where('d.revoked_at_ms', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (owner) return 'manager';
  return row && isOrganisationRole(row.role) ? row.role : null;
}

/** Organisations where the user holds a role on customer data (for the navigation), lowest id first. */
export async function organisationsWithRole(db: Kysely<Schema>, userId: number): Promise<number[]> {
  const explicit = await db
    .selectFrom('organisation_roles')
    .select('organisation_id')
    .where('user_id', '=', userId)
    .execute();
  const owned = await db
    .selectFrom('depot_grants as g')
    .innerJoin('depots as d', 'd.id', 'g.depot_id')
    .select('d.organisation_id')
    .where('g.user_id', '=', userId)
    .where('g.role', '=', 'owner')
    .where('d.revoked_at_ms', 'is', null)
    .execute();
  const ids = new Set([...explicit, ...owned].map((r) => toNumber(r.organisation_id)));
  return [...ids].sort((a, b) => a - b);
}

/** Gives (or with null takes) a user's role on the organisation's customer data, audited. */
export async function setOrganisationRole(
  db: Kysely<Schema>,
  input: {
    organisationId: number;
    userId: number;
    role: OrganisationRole | null;
    nowMs: number;
    actor: AuditActor;
    actorUserId: number | null;
  },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('organisation_roles')
      .select('role')
      .where('organisation_id', '=', input.organisationId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    await trx
      .deleteFrom('organisation_roles')
      .where('organisation_id', '=', input.organisationId)
      .where('user_id', '=', input.userId)
      .execute();
    if (input.role !== null) {
      await trx
        .insertInto('organisation_roles')
        .values({
          organisation_id: input.organisationId,
          user_id: input.userId,
          role: input.role,
          created_at_ms: input.nowMs,
        })
        .execute();
    }
    await appendAudit(trx, {
      atMs: input.nowMs,
      actor: input.actor,
      actorUserId: input.actorUserId,
      action: 'organisation.role',
      organisationId: input.organisationId,
      subject: `user ${input.userId}`,
      before: { role: before?.role ?? null },
      after: { role: input.role },
    });
  });
}
