import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';

/** How many one-time codes a user gets with a second factor. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style base32 without look-alikes (0/O, 1/I/L). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * One code: 16 characters of a 31-letter alphabet (~79 bits), shown as four
 * groups. With that much randomness SHA-256 keeps a stolen database from
 * yielding codes; a slow password hash would only make each login check 10
 * Argon2 runs. The user id is hashed in, so equal codes of two users differ.
 */
export function newRecoveryCode(): string {
  let code = '';
  while (code.length < 16) {
    for (const byte of randomBytes(16)) {
      // Rejection sampling: 248 = 8 × 31, so every letter is equally likely.
      if (byte < 248 && code.length < 16) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code.match(/.{4}/g)?.join('-') ?? code;
}

/** What a user may type: any case, with or without dashes and spaces. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

function codeHash(userId: number, code: string): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(`${userId}:${normaliseRecoveryCode(code)}`)
      .digest(),
  );
}

/**
 * Replaces the user's codes with 10 new ones and returns them in clear, the
 * only time they exist so. Old unused codes stop working.
 */
export async function replaceRecoveryCodes(
  db: Kysely<Schema>,
  input: { userId: number; nowMs: number },
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('recovery_codes').where('user_id', '=', input.userId).execute();
    await trx
      .insertInto('recovery_codes')
      .values(
        codes.map((code) => ({
          user_id: input.userId,
          code_hash: codeHash(input.userId, code),
          created_at_ms: input.nowMs,
          used_at_ms: null,
        })),
      )
      .execute();
  });
  return codes;
}

/** Spends one code; false if it is not one of the user's or was used already. */
export async function useRecoveryCode(
  db: Kysely<Schema>,
  input: { userId: number; code: string; nowMs: number },
): Promise<boolean> {
  const normalised = normaliseRecoveryCode(input.code);
  if (normalised.length !== 16) return false;
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at_ms: input.nowMs })
    .where('user_id', '=', input.userId)
    .where('code_hash', '=', codeHash(input.userId, normalised))
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How many unused codes the user has left. */
export async function recoveryCodesLeft(db: Kysely<Schema>, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return row ? toNumber(row.n as number) : 0;
}

export async function removeRecoveryCodes(db: Kysely<Schema>, userId: number): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}
