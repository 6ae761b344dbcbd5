import * as argon2 from 'argon2';
import type { Kysely, Selectable } from 'kysely';
import { insertedId, toFlag, toNumber, toNumberOrNull } from './row-values.js';
import type { Schema, UsersTable } from './schema.js';

/** A portal account. The password hash never leaves this module. */
export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  /** Service operators provision depots for every organisation. */
  readonly isOperator: boolean;
  readonly language: 'de' | 'en';
  readonly createdAtMs: number;
  readonly disabledAtMs: number | null;
}

export class UserExistsError extends Error {
  override name = 'UserExistsError';
}

/** OWASP's Argon2id setting: m = 19 MiB, t = 2, p = 1. argon2 runs it on libuv's pool, off the event loop. */
const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
/** Shorter passwords are refused (OWASP asks for at least 8 with MFA, 15 without; a second factor is optional for some accounts). */
export const MIN_PASSWORD_LENGTH = 12;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,99}$/;

function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new RangeError(`a password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return argon2.hash(password, PASSWORD_HASH_OPTIONS);
}

export interface NewUser {
  readonly username: string;
  readonly displayName?: string;
  /** Null creates an account that cannot log in until a password is set. */
  readonly password: string | null;
  readonly isOperator?: boolean;
  readonly language?: 'de' | 'en';
  readonly nowMs: number;
}

/** Creates a user with an Argon2id hash of the password. */
export async function createUser(db: Kysely<Schema>, input: NewUser): Promise<User> {
  if (!USERNAME.test(input.username)) {
    throw new RangeError('a username must have 3 to 100 letters, digits or . _ @ - and start with a letter or digit');
  }
  if (await findUserByUsername(db, input.username)) {
    throw new UserExistsError(`a user named '${input.username}' exists already`);
  }
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  const values = {
    username: input.username,
    display_name: input.displayName?.trim() || input.username,
    password_hash: passwordHash,
    is_operator: input.isOperator ? 1 : 0,
    language: input.language ?? 'de',
    created_at_ms: input.nowMs,
  };
  const result = await db.insertInto('users').values(values).executeTakeFirstOrThrow();
  return fromRow({ ...values, id: insertedId(result), disabled_at_ms: null });
}

export async function findUserByUsername(db: Kysely<Schema>, username: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row ? fromRow(row) : null;
}

export async function findUserById(db: Kysely<Schema>, id: number): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

let dummyHash: Promise<string> | undefined;

/**
 * The user if the password is theirs and the account is enabled, else null.
 * An unknown username still costs one Argon2 verification, so response time
 * does not tell which usernames exist.
 */
export async function verifyPassword(db: Kysely<Schema>, username: string, password: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  if (!row || row.password_hash === null) {
    dummyHash ??= argon2.hash('not a password of anyone', PASSWORD_HASH_OPTIONS);
    await argon2.verify(await dummyHash, password);
    return null;
  }
  const matches = await argon2.verify(row.password_hash, password);
  return matches && row.disabled_at_ms === null ? fromRow(row) : null;
}

function fromRow(row: Omit<Selectable<UsersTable>, 'password_hash'>): User {
  return {
    id: toNumber(row.id),
    username: row.username,
    displayName: row.display_name,
    isOperator: toFlag(row.is_operator),
    language: row.language === 'en' ? 'en' : 'de',
    createdAtMs: toNumber(row.created_at_ms),
    disabledAtMs: toNumberOrNull(row.disabled_at_ms),
  };
}

/** Sets a new password (Argon2id); the caller ends the user's other sessions and writes the audit entry. */
export async function setPassword(db: Kysely<Schema>, userId: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Stores the portal language a user chose. */
export async function setUserLanguage(db: Kysely<Schema>, userId: number, language: 'de' | 'en'): Promise<void> {
  await db.updateTable('users').set({ language }).where('id', '=', userId).execute();
}
