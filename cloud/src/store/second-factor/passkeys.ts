import type { Kysely } from 'kysely';
import { insertedId, toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

/** A registered passkey: a WebAuthn credential's public key, named by its owner. */
export interface Passkey {
  readonly id: number;
  readonly userId: number;
  /** base64url, as WebAuthn's JSON forms carry it. */
  readonly credentialId: string;
  readonly publicKey: Uint8Array;
  readonly signCount: number;
  readonly transports: string[];
  readonly name: string;
  readonly createdAtMs: number;
  readonly lastUsedMs: number | null;
}

export const PASSKEY_NAME_MAX = 100;

type PasskeyRow = {
  id: number;
  user_id: number;
  credential_id: Uint8Array;
  public_key: Uint8Array;
  sign_count: number;
  transports: string;
  name: string;
  created_at_ms: number;
  last_used_ms: number | null;
};

function fromRow(row: PasskeyRow): Passkey {
  return {
    id: toNumber(row.id),
    userId: toNumber(row.user_id),
    credentialId: Buffer.from(row.credential_id).toString('base64url'),
    publicKey: new Uint8Array(row.public_key),
    signCount: toNumber(row.sign_count),
    transports: row.transports === '' ? [] : row.transports.split(','),
    name: row.name,
    createdAtMs: toNumber(row.created_at_ms),
    lastUsedMs: toNumberOrNull(row.last_used_ms),
  };
}

const COLUMNS = [
  'id',
  'user_id',
  'credential_id',
  'public_key',
  'sign_count',
  'transports',
  'name',
  'created_at_ms',
  'last_used_ms',
] as const;

/** The user's passkeys in use, oldest first. */
export async function passkeysOf(db: Kysely<Schema>, userId: number): Promise<Passkey[]> {
  const rows = await db
    .selectFrom('passkeys')
    .select(COLUMNS)
    .where('user_id', '=', userId)
    .where('removed_at_ms', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(fromRow);
}

/** The passkey in use with this credential id (base64url), whoever's it is. */
export async function findPasskeyByCredential(db: Kysely<Schema>, credentialId: string): Promise<Passkey | null> {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(credentialId)) return null;
  const row = await db
    .selectFrom('passkeys')
    .select(COLUMNS)
    .where('credential_id', '=', new Uint8Array(Buffer.from(credentialId, 'base64url')))
    .where('removed_at_ms', 'is', null)
    .executeTakeFirst();
  return row ? fromRow(row) : null;
}

export async function addPasskey(
  db: Kysely<Schema>,
  input: {
    userId: number;
    credentialId: string;
    publicKey: Uint8Array;
    signCount: number;
    transports: readonly string[];
    name: string;
    nowMs: number;
  },
): Promise<number> {
  const result = await db
    .insertInto('passkeys')
    .values({
      user_id: input.userId,
      credential_id: new Uint8Array(Buffer.from(input.credentialId, 'base64url')),
      public_key: input.publicKey,
      sign_count: input.signCount,
      transports: input.transports.join(',').slice(0, 200),
      name: input.name.slice(0, PASSKEY_NAME_MAX),
      created_at_ms: input.nowMs,
    })
    .executeTakeFirstOrThrow();
  return insertedId(result);
}

/** Records a use: the new signature counter (a clone shows up as a counter that went back) and the time. */
export async function passkeyUsed(db: Kysely<Schema>, id: number, signCount: number, nowMs: number): Promise<void> {
  await db.updateTable('passkeys').set({ sign_count: signCount, last_used_ms: nowMs }).where('id', '=', id).execute();
}

/** Renames one of the user's passkeys; the old name, or null if it is not theirs. */
export async function renamePasskey(
  db: Kysely<Schema>,
  input: { userId: number; id: number; name: string },
): Promise<string | null> {
  const own = (await passkeysOf(db, input.userId)).find((p) => p.id === input.id);
  if (!own) return null;
  await db
    .updateTable('passkeys')
    .set({ name: input.name.slice(0, PASSKEY_NAME_MAX) })
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .execute();
  return own.name;
}

/** Takes one of the user's passkeys out of use; its name, or null if it is not theirs. */
export async function removePasskey(
  db: Kysely<Schema>,
  input: { userId: number; id: number; nowMs: number },
): Promise<string | null> {
  const own = (await passkeysOf(db, input.userId)).find((p) => p.id === input.id);
  if (!own) return null;
  await db
    .updateTable('passkeys')
    .set({ removed_at_ms: input.nowMs })
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .execute();
  return own.name;
}

/** Takes every passkey of the user out of use (CLI reset); how many there were. */
export async function removeAllPasskeys(db: Kysely<Schema>, userId: number, nowMs: number): Promise<number> {
  const result = await db
    .updateTable('passkeys')
    .set({ removed_at_ms: nowMs })
    .where('user_id', '=', userId)
    .where('removed_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A passkey ceremony: registration, username-less login, second step after the password, re-authentication. */
export type ChallengePurpose = 'register' | 'login' | 'verify' | 'reauth';
/** Five minutes to touch the authenticator (WebAuthn's own timeout default is similar). */
const CHALLENGE_TTL_MS = 5 * 60_000;

/** Stores a one-use challenge (base64url, as the ceremony's options carry it). */
export async function storeChallenge(
  db: Kysely<Schema>,
  input: { challenge: string; purpose: ChallengePurpose; userId: number | null; nowMs: number },
): Promise<void> {
  const { challenge } = input;
  await db.deleteFrom('webauthn_challenges').where('expires_at_ms', '<', input.nowMs).execute();
  await db
    .insertInto('webauthn_challenges')
    .values({
      challenge,
      purpose: input.purpose,
      user_id: input.userId,
      expires_at_ms: input.nowMs + CHALLENGE_TTL_MS,
    })
    .execute();
}

/**
 * Spends a challenge: true only once, only for its purpose and user, and only
 * before it expires. The delete is the check, so two tabs cannot both use it.
 */
export async function spendChallenge(
  db: Kysely<Schema>,
  input: { challenge: string; purpose: ChallengePurpose; userId: number | null; nowMs: number },
): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.challenge)) return false;
  let query = db
    .deleteFrom('webauthn_challenges')
    .where('challenge', '=', input.challenge)
    .where('purpose', '=', input.purpose)
    .where('expires_at_ms', '>', input.nowMs);
  query = input.userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', input.userId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
