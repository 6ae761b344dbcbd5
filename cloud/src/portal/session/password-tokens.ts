import type { Kysely } from 'kysely';
import { toNumber } from '../../store/row-values.js';
import type { Schema } from '../../store/schema.js';
import { hashToken, newToken } from './portal-sessions.js';

/** A set-password link works for 3 days, once. */
export const PASSWORD_TOKEN_TTL_MS = 3 * 86_400_000;

/** Makes a one-time set-password token for a user (new account or reset); returns it for the link. */
export async function createPasswordToken(
  db: Kysely<Schema>,
  input: { userId: number; createdByUserId: number | null; nowMs: number },
): Promise<string> {
  const token = newToken();
  await db
    .insertInto('password_tokens')
    .values({
      token_hash: hashToken(token),
      user_id: input.userId,
      created_by_user_id: input.createdByUserId,
      created_at_ms: input.nowMs,
      expires_at_ms: input.nowMs + PASSWORD_TOKEN_TTL_MS,
      used_at_ms: null,
    })
    .execute();
  return token;
}

/** The user id a live token is for, or null (unknown, used or expired). */
export async function passwordTokenUser(db: Kysely<Schema>, token: string, nowMs: number): Promise<number | null> {
  if (token.length < 20 || token.length > 100) return null;
  const row = await db
    .selectFrom('password_tokens')
    .select(['user_id', 'expires_at_ms', 'used_at_ms'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.used_at_ms !== null || toNumber(row.expires_at_ms) <= nowMs) return null;
  return toNumber(row.user_id);
}

/** Marks a token used; false if someone used it first (two tabs). */
export async function consumePasswordToken(db: Kysely<Schema>, token: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('password_tokens')
    .set({ used_at_ms: nowMs })
    .where('token_hash', '=', hashToken(token))
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
