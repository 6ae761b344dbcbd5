import { createHash, randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Schema } from '../../store/schema.js';
import {
  type ChallengePurpose,
  findPasskeyByCredential,
  type Passkey,
  passkeysOf,
  passkeyUsed,
  spendChallenge,
  storeChallenge,
} from '../../store/second-factor/passkeys.js';
import type { User } from '../../store/users.js';
import type { PortalContext } from '../portal-env.js';

/*
 * WebAuthn ceremonies with @simplewebauthn/server. The relying party is the
 * host the browser sees (a passkey made for portal.example.org works there
 * only); every challenge is stored, one use, five minutes, and bound to its
 * purpose and user, so an assertion made for one step cannot be replayed at
 * another.
 */

const RP_NAME = 'keydepot';

/** The relying party id and origin of this request (behind TLS the origin is https even if the proxy speaks http). */
export function relyingParty(c: PortalContext): { rpID: string; origin: string } {
  const url = new URL(c.req.url);
  const protocol = c.get('deps').tls ? 'https:' : url.protocol;
  return { rpID: url.hostname, origin: `${protocol}//${url.host}` };
}

/** The WebAuthn user handle: not the name (no personal data on the authenticator's list), stable per account. */
function userHandle(userId: number): Uint8Array<ArrayBuffer> {
  const handle = new Uint8Array(16);
  handle.set(createHash('sha256').update(`keydepot user ${userId}`).digest().subarray(0, 16));
  return handle;
}

const transportsOf = (p: Passkey) => p.transports as AuthenticatorTransportFuture[];

/** Options for registering one more passkey (the user's existing ones are excluded). */
export async function registrationOptions(c: PortalContext, user: User) {
  const { store, clock } = c.get('deps');
  const existing = await passkeysOf(store.db, user.id);
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: relyingParty(c).rpID,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: userHandle(user.id),
    challenge: randomChallenge(),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    // Discoverable, so the passkey can also log in without a user name.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await storeChallenge(store.db, {
    challenge: options.challenge,
    purpose: 'register',
    userId: user.id,
    nowMs: clock(),
  });
  return options;
}

/** Checks a registration response; the new credential, or null if it does not verify. */
export async function verifyRegistration(c: PortalContext, user: User, responseJson: string) {
  const { store, clock } = c.get('deps');
  const response = parseJson<RegistrationResponseJSON>(responseJson);
  const challenge = response ? challengeOf(response.response?.clientDataJSON) : null;
  if (!response || !challenge) return null;
  if (!(await spendChallenge(store.db, { challenge, purpose: 'register', userId: user.id, nowMs: clock() })))
    return null;
  const { rpID, origin } = relyingParty(c);
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
    if (!result.verified) return null;
    const { credential } = result.registrationInfo;
    return {
      id: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports ?? [],
    };
  } catch {
    return null;
  }
}

/**
 * Options for proving a passkey. With a user (the step after the password,
 * re-authentication) only their passkeys are offered; without one
 * (username-less login) the authenticator offers what it holds for this site.
 */
export async function authenticationOptions(c: PortalContext, purpose: ChallengePurpose, user: User | null) {
  const { store, clock } = c.get('deps');
  const allow = user ? await passkeysOf(store.db, user.id) : [];
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(c).rpID,
    challenge: randomChallenge(),
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    // A passkey alone replaces password and second factor: the authenticator must check its user (PIN, biometrics).
    userVerification: user ? 'preferred' : 'required',
  });
  await storeChallenge(store.db, { challenge: options.challenge, purpose, userId: user?.id ?? null, nowMs: clock() });
  return options;
}

/**
 * Checks an assertion; the passkey it proved, or null. With a user, the
 * passkey must be theirs; without, it names its user (username-less login).
 */
export async function verifyAuthentication(
  c: PortalContext,
  purpose: ChallengePurpose,
  user: User | null,
  responseJson: string,
): Promise<Passkey | null> {
  const { store, clock } = c.get('deps');
  const db: Kysely<Schema> = store.db;
  const response = parseJson<AuthenticationResponseJSON>(responseJson);
  const challenge = response ? challengeOf(response.response?.clientDataJSON) : null;
  if (!response || !challenge || typeof response.id !== 'string') return null;
  if (!(await spendChallenge(db, { challenge, purpose, userId: user?.id ?? null, nowMs: clock() }))) return null;
  const passkey = await findPasskeyByCredential(db, response.id);
  if (!passkey || (user && passkey.userId !== user.id)) return null;
  const { rpID, origin } = relyingParty(c);
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.signCount,
        transports: transportsOf(passkey),
      },
      requireUserVerification: user === null,
    });
    if (!result.verified) return null;
    await passkeyUsed(db, passkey.id, result.authenticationInfo.newCounter, clock());
    return passkey;
  } catch {
    // A counter that went backwards (a cloned authenticator), a wrong origin, a bad signature.
    return null;
  }
}

function randomChallenge(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(32);
  bytes.set(randomBytes(32));
  return bytes;
}

function parseJson<T>(text: string): T | null {
  if (text.length === 0 || text.length > 32_000) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}

/** The challenge inside clientDataJSON (base64url JSON), to find its stored row before verifying. */
function challengeOf(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 8_000) return null;
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' ? data.challenge : null;
  } catch {
    return null;
  }
}
