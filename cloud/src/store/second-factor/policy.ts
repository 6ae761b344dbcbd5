import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import type { User } from '../users.js';
import { passkeysOf } from './passkeys.js';
import { hasTotp } from './totp.js';

/**
 * An organisation's rule for second factors: optional, or required for whoever
 * owns or manages one of its depots (they can open compartments remotely and
 * issue PINs). Service operators always need one, whatever the organisation says.
 */
export type SecondFactorPolicy = 'optional' | 'required';
export const SECOND_FACTOR_POLICIES: readonly SecondFactorPolicy[] = ['optional', 'required'];

export async function organisationPolicy(db: Kysely<Schema>, organisationId: number): Promise<SecondFactorPolicy> {
  const row = await db
    .selectFrom('organisations')
    .select('second_factor_policy')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.second_factor_policy === 'required' ? 'required' : 'optional';
}

export async function setOrganisationPolicy(
  db: Kysely<Schema>,
  organisationId: number,
  policy: SecondFactorPolicy,
): Promise<void> {
  await db
    .updateTable('organisations')
    .set({ second_factor_policy: policy })
    .where('id', '=', organisationId)
    .execute();
}

/** Whether the user must have a second factor before getting into the portal. */
export async function secondFactorRequired(db: Kysely<Schema>, user: User): Promise<boolean> {
  if (user.isOperator) return true;
  const row = await db
    .selectFrom('depot_grants')
    .innerJoin('depots', 'depots.id', 'depot_grants.depot_id')
    .innerJoin('organisations', 'organisations.id', 'depots.organisation_id')
    .select('depot_grants.depot_id')
    .where('depot_grants.user_id', '=', user.id)
    .where('depot_grants.role', 'in', ['owner', 'manager'])
    .where('depots.revoked_at_ms', 'is', null)
    .where('organisations.second_factor_policy', '=', 'required')
    .executeTakeFirst();
  return row !== undefined;
}

/** Which second factors the user has in use. */
export interface Factors {
  readonly totp: boolean;
  readonly passkeys: number;
}

export async function factorsOf(db: Kysely<Schema>, userId: number): Promise<Factors> {
  return { totp: await hasTotp(db, userId), passkeys: (await passkeysOf(db, userId)).length };
}

export const hasSecondFactor = (f: Factors) => f.totp || f.passkeys > 0;
