import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import { removeAllPasskeys } from './passkeys.js';
import { removeRecoveryCodes } from './recovery-codes.js';
import { removeTotp } from './totp.js';

/** What a reset took away. */
export interface SecondFactorReset {
  readonly totp: boolean;
  readonly passkeys: number;
}

/**
 * Takes every second factor of a user out of use (authenticator app, passkeys,
 * recovery codes) and ends their sessions, in one transaction: for an owner
 * who lost phone and codes. If policy requires a factor, their next login
 * enrols a new one right after the password.
 */
export async function resetSecondFactor(db: Kysely<Schema>, userId: number, nowMs: number): Promise<SecondFactorReset> {
  const totp = await removeTotp(db, userId);
  const passkeys = await removeAllPasskeys(db, userId, nowMs);
  await removeRecoveryCodes(db, userId);
  await db
    .updateTable('portal_sessions')
    .set({ ended_at_ms: nowMs })
    .where('user_id', '=', userId)
    .where('ended_at_ms', 'is', null)
    .execute();
  return { totp, passkeys };
}
