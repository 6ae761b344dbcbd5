import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { toNumber } from '../../store/row-values.js';
import type { Schema } from '../../store/schema.js';

/** Idle timeout: a session unused this long is over (OWASP: 15-30 min for low-risk apps). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Absolute timeout: at most one working day per login. */
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
/**
 * A session that has the password but still owes its second factor lasts at
 * most this long: time to fetch the phone or enrol, not a day of half access.
 */
export const SECOND_FACTOR_STEP_MS = 10 * 60_000;
/** last_seen is written at most this often, so reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * What a session still owes after the password: nothing ('done'), the second
 * factor ('verify'), or enrolling one because policy requires it ('enrol').
 * Only a 'done' session is signed in; the others reach the second-factor step only.
 */
export type SecondFactorStage = 'done' | 'verify' | 'enrol';

export interface PortalSession {
  readonly tokenHash: Uint8Array;
  readonly secondFactor: SecondFactorStage;
  readonly userId: number;
  readonly csrfToken: string;
  readonly createdAtMs: number;
  readonly lastSeenMs: number;
  readonly expiresAtMs: number;
}

/** 32 random bytes as base64url: the cookie value. Only its hash is stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token).digest());
}

/**
 * Starts a session for a user who just proved their password (or a passkey);
 * returns the cookie token. A session still owing its second factor ends sooner.
 */
export async function startSession(
  db: Kysely<Schema>,
  input: { userId: number; nowMs: number; address: string | null; secondFactor?: SecondFactorStage },
): Promise<{ token: string; session: PortalSession }> {
  const token = newToken();
  const secondFactor = input.secondFactor ?? 'done';
  const row = {
    token_hash: hashToken(token),
    user_id: input.userId,
    csrf_token: newToken(),
    created_at_ms: input.nowMs,
    last_seen_ms: input.nowMs,
    expires_at_ms: input.nowMs + (secondFactor === 'done' ? SESSION_ABSOLUTE_MS : SECOND_FACTOR_STEP_MS),
    ended_at_ms: null,
    address: input.address?.slice(0, 64) ?? null,
    second_factor: secondFactor,
  };
  await db.insertInto('portal_sessions').values(row).execute();
  return { token, session: fromRow(row) };
}

/** The live session for a cookie token, or null if unknown, ended, idle too long or past its end. */
export async function findSession(db: Kysely<Schema>, token: string, nowMs: number): Promise<PortalSession | null> {
  if (token.length < 20 || token.length > 100) return null;
  const row = await db
    .selectFrom('portal_sessions')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.ended_at_ms !== null) return null;
  const session = fromRow(row);
  if (nowMs >= session.expiresAtMs || nowMs - session.lastSeenMs >= SESSION_IDLE_MS) return null;
  if (nowMs - session.lastSeenMs >= TOUCH_EVERY_MS) {
    await db
      .updateTable('portal_sessions')
      .set({ last_seen_ms: nowMs })
      .where('token_hash', '=', session.tokenHash)
      .execute();
  }
  return session;
}

/** Ends one session (logout). */
export async function endSession(db: Kysely<Schema>, tokenHash: Uint8Array, nowMs: number): Promise<void> {
  await db
    .updateTable('portal_sessions')
    .set({ ended_at_ms: nowMs })
    .where('token_hash', '=', tokenHash)
    .where('ended_at_ms', 'is', null)
    .execute();
}

/** Ends every session of a user except one (after a password change, or all when disabling). */
export async function endSessionsOf(
  db: Kysely<Schema>,
  userId: number,
  nowMs: number,
  except?: Uint8Array,
): Promise<void> {
  let query = db
    .updateTable('portal_sessions')
    .set({ ended_at_ms: nowMs })
    .where('user_id', '=', userId)
    .where('ended_at_ms', 'is', null);
  if (except) query = query.where('token_hash', '!=', except);
  await query.execute();
}

function fromRow(row: {
  token_hash: Uint8Array;
  second_factor: string;
  user_id: number;
  csrf_token: string;
  created_at_ms: number;
  last_seen_ms: number;
  expires_at_ms: number;
}): PortalSession {
  return {
    tokenHash: new Uint8Array(row.token_hash),
    secondFactor: row.second_factor === 'verify' || row.second_factor === 'enrol' ? row.second_factor : 'done',
    userId: toNumber(row.user_id),
    csrfToken: row.csrf_token,
    createdAtMs: toNumber(row.created_at_ms),
    lastSeenMs: toNumber(row.last_seen_ms),
    expiresAtMs: toNumber(row.expires_at_ms),
  };
}
