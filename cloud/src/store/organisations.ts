import type { Kysely } from 'kysely';
import { insertedId, toNumber } from './row-values.js';
import type { Schema } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

/** An operator of depots: owns depots, customers and invoices. */
export interface Organisation {
  readonly id: number;
  readonly name: string;
  readonly createdAtMs: number;
}

export class OrganisationExistsError extends Error {
  override name = 'OrganisationExistsError';
}

/** Creates an organisation; names are unique so that `--org <name>` finds exactly one. */
export async function createOrganisation(
  db: Kysely<Schema>,
  input: { name: string; nowMs: number },
): Promise<Organisation> {
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw new RangeError('an organisation name must have 1 to 200 characters');
  const existing = await findOrganisationByName(db, name);
  if (existing) throw new OrganisationExistsError(`an organisation named '${name}' exists already (id ${existing.id})`);
  const exists = () => new OrganisationExistsError(`an organisation named '${name}' exists already`);
  const result = await db
    .insertInto('organisations')
    .values({ name, created_at_ms: input.nowMs })
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      // Created by someone else between the check above and this insert (migration 009's index).
      throw isUniqueViolation(error) ? exists() : error;
    });
  return { id: insertedId(result), name, createdAtMs: input.nowMs };
}

export async function findOrganisationById(db: Kysely<Schema>, id: number): Promise<Organisation | null> {
  const row = await db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

export async function findOrganisationByName(db: Kysely<Schema>, name: string): Promise<Organisation | null> {
  const row = await db.selectFrom('organisations').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? fromRow(row) : null;
}

export async function listOrganisations(db: Kysely<Schema>): Promise<Organisation[]> {
  const rows = await db.selectFrom('organisations').selectAll().orderBy('id').execute();
  return rows.map(fromRow);
}

/** Makes a user a member of an organisation; true if they were not one before. */
export async function addOrganisationMember(
  db: Kysely<Schema>,
  input: { organisationId: number; userId: number; nowMs: number },
): Promise<boolean> {
  const existing = await db
    .selectFrom('organisation_members')
    .select('user_id')
    .where('organisation_id', '=', input.organisationId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (existing) return false;
  await db
    .insertInto('organisation_members')
    .values({ organisation_id: input.organisationId, user_id: input.userId, created_at_ms: input.nowMs })
    .execute();
  return true;
}

/** Ids of the organisations a user belongs to. */
export async function organisationsOfUser(db: Kysely<Schema>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('organisation_members')
    .select('organisation_id')
    .where('user_id', '=', userId)
    .orderBy('organisation_id')
    .execute();
  return rows.map((row) => toNumber(row.organisation_id));
}

function fromRow(row: { id: number; name: string; created_at_ms: number }): Organisation {
  return { id: toNumber(row.id), name: row.name, createdAtMs: toNumber(row.created_at_ms) };
}
