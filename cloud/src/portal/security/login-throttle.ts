import type { Kysely } from 'kysely';
import { toNumber } from '../../store/row-values.js';
import type { Schema } from '../../store/schema.js';

/*
 * Login throttling per account and per client address. An account gets 5 free
 * failures, then each further one blocks it for 30 s, doubling up to 15 min;
 * an address gets 20 (an office behind one NAT shares it). Success clears the
 * account's count. Blocking answers with a message, never locks the account
 * for good: an attacker must not be able to lock a real user out permanently.
 */
export const ACCOUNT_FREE_FAILURES = 5;
export const ADDRESS_FREE_FAILURES = 20;
const FIRST_BLOCK_MS = 30_000;
const MAX_BLOCK_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
const FORGET_AFTER_MS = 60 * 60_000;

export const accountKey = (username: string) => `user:${username.toLowerCase().slice(0, 180)}`;
export const addressKey = (address: string) => `addr:${address.slice(0, 180)}`;

/** Milliseconds until any of the keys may try again (0: go ahead). */
export async function loginBlockedFor(db: Kysely<Schema>, keys: readonly string[], nowMs: number): Promise<number> {
  const rows = await db
    .selectFrom('login_throttle')
    .select(['blocked_until_ms'])
    .where('throttle_key', 'in', [...keys])
    .execute();
  return Math.max(0, ...rows.map((r) => toNumber(r.blocked_until_ms) - nowMs));
}

/** Counts a failed login against each key and sets its block. */
export async function recordLoginFailure(
  db: Kysely<Schema>,
  keys: ReadonlyArray<{ key: string; freeFailures: number }>,
  nowMs: number,
): Promise<void> {
  for (const { key, freeFailures } of keys) {
    await db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_throttle').selectAll().where('throttle_key', '=', key).executeTakeFirst();
      const stale = !row || nowMs - toNumber(row.last_failure_ms) > FORGET_AFTER_MS;
      const failures = stale ? 1 : toNumber(row.failures) + 1;
      const over = failures - freeFailures;
      const blockedUntil = over > 0 ? nowMs + Math.min(MAX_BLOCK_MS, FIRST_BLOCK_MS * 2 ** (over - 1)) : 0;
      if (row) {
        await trx
          .updateTable('login_throttle')
          .set({ failures, last_failure_ms: nowMs, blocked_until_ms: blockedUntil })
          .where('throttle_key', '=', key)
          .execute();
      } else {
        await trx
          .insertInto('login_throttle')
          .values({ throttle_key: key, failures, last_failure_ms: nowMs, blocked_until_ms: blockedUntil })
          .execute();
      }
    });
  }
}

/** A correct password clears the account's count (not the address's: one good login must not wash many bad ones). */
export async function clearLoginFailures(db: Kysely<Schema>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('throttle_key', '=', key).execute();
}
