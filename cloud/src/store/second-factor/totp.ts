import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { DataSealer } from '../../keys/data-key.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

/*
 * TOTP (RFC 6238) as every authenticator app speaks it: HMAC-SHA-1, 6 digits,
 * 30-second steps, a 160-bit secret (RFC 4226 §4 recommends at least 128).
 * One step either side is accepted for clock drift; a code is good once: the
 * step it was accepted for is stored and no code of that or an older step
 * passes again (RFC 6238 §5.2), so a code seen over a shoulder is worthless.
 */
export const TOTP_STEP_MS = 30_000;
const DIGITS = 6;
const DRIFT_STEPS = 1;
export const TOTP_ISSUER = 'keydepot';

/** Where a user's TOTP secret is sealed (the place is the associated data). */
export const totpSecretPlace = (userId: number) => `totp_factors.secret_sealed:${userId}`;

function totpOf(secretBase32: string, label = ''): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_STEP_MS / 1000,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A fresh random secret in base32 (what the app's manual entry takes). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI the QR code carries. */
export function totpUri(secretBase32: string, username: string): string {
  return totpOf(secretBase32, username).toString();
}

/** The code for a moment (tests and the browser test compute codes as an app does). */
export function totpCode(secretBase32: string, atMs: number): string {
  return totpOf(secretBase32).generate({ timestamp: atMs });
}

/** The step a code belongs to within the drift window around `nowMs`, or null for a wrong code. */
export function totpStepOf(secretBase32: string, code: string, nowMs: number): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp: nowMs, window: DRIFT_STEPS });
  return delta === null ? null : Math.floor(nowMs / TOTP_STEP_MS) + delta;
}

export interface TotpFactor {
  readonly secret: string;
  readonly confirmedAtMs: number | null;
  readonly lastStep: number;
}

export async function findTotp(db: Kysely<Schema>, sealer: DataSealer, userId: number): Promise<TotpFactor | null> {
  const row = await db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return null;
  return {
    secret: sealer.open(new Uint8Array(row.secret_sealed), totpSecretPlace(userId)),
    confirmedAtMs: toNumberOrNull(row.confirmed_at_ms),
    lastStep: toNumber(row.last_step),
  };
}

/** Whether the user has a confirmed TOTP factor (no secret is opened). */
export async function hasTotp(db: Kysely<Schema>, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('totp_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at_ms', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Starts (or restarts) an enrolment with a fresh secret, unconfirmed until
 * the first correct code. A confirmed factor is left alone: replacing it
 * means removing it first.
 */
export async function startTotpEnrolment(
  db: Kysely<Schema>,
  sealer: DataSealer,
  input: { userId: number; nowMs: number },
): Promise<string | null> {
  const secret = newTotpSecret();
  const sealed = sealer.seal(secret, totpSecretPlace(input.userId));
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('totp_factors')
      .select('confirmed_at_ms')
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (row && row.confirmed_at_ms !== null) return null;
    await trx.deleteFrom('totp_factors').where('user_id', '=', input.userId).execute();
    await trx
      .insertInto('totp_factors')
      .values({ user_id: input.userId, secret_sealed: sealed, confirmed_at_ms: null, created_at_ms: input.nowMs })
      .execute();
    return secret;
  });
}

/**
 * Checks a code and spends its step in one conditional update, so two
 * requests with the same code cannot both pass. `confirm` also completes an
 * enrolment. Returns false for a wrong, replayed or too old code.
 */
export async function useTotpCode(
  db: Kysely<Schema>,
  sealer: DataSealer,
  input: { userId: number; code: string; nowMs: number; confirm?: boolean },
): Promise<boolean> {
  const factor = await findTotp(db, sealer, input.userId);
  if (!factor || (factor.confirmedAtMs === null && !input.confirm)) return false;
  const step = totpStepOf(factor.secret, input.code, input.nowMs);
  if (step === null || step <= factor.lastStep) return false;
  const result = await db
    .updateTable('totp_factors')
    .set({ last_step: step, confirmed_at_ms: factor.confirmedAtMs ?? input.nowMs })
    .where('user_id', '=', input.userId)
    .where('last_step', '<', step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes the TOTP factor (confirmed or not); true if there was one. */
export async function removeTotp(db: Kysely<Schema>, userId: number): Promise<boolean> {
  const result = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
