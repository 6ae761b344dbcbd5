import { appendAudit } from '../../store/audit.js';
import { factorsOf, hasSecondFactor, secondFactorRequired } from '../../store/second-factor/policy.js';
import type { User } from '../../store/users.js';
import type { PortalContext } from '../portal-env.js';
import {
  ACCOUNT_FREE_FAILURES,
  ADDRESS_FREE_FAILURES,
  accountKey,
  addressKey,
  clearLoginFailures,
  loginBlockedFor,
  recordLoginFailure,
} from '../security/login-throttle.js';
import { endSession, startSession } from '../session/portal-sessions.js';
import { setSessionCookie } from '../session/session-middleware.js';

/** How a login was proven, for the audit entry. */
export type LoginMethod = 'password' | 'totp' | 'recovery-code' | 'passkey' | 'enrolment';

/**
 * After a correct password: a user with a second factor owes it, a user whom
 * policy requires to have one enrols first, anyone else is in. The account's
 * failure count is cleared only when the whole login succeeds, so wrong codes
 * keep counting however often the password is typed again.
 */
export async function afterPassword(c: PortalContext, user: User, next: string): Promise<Response> {
  const { store, clock } = c.get('deps');
  const factors = await factorsOf(store.db, user.id);
  const stage = hasSecondFactor(factors) ? 'verify' : (await secondFactorRequired(store.db, user)) ? 'enrol' : 'done';
  if (stage === 'done') {
    await signIn(c, user, 'password');
    return c.redirect(next, 303);
  }
  await endCurrentSessions(c);
  const { token } = await startSession(store.db, {
    userId: user.id,
    nowMs: clock(),
    address: c.get('address'),
    secondFactor: stage,
  });
  setSessionCookie(c, token);
  const step = stage === 'verify' ? '/login/second-factor' : '/login/enrol';
  return c.redirect(next === '/' ? step : `${step}?next=${encodeURIComponent(next)}`, 303);
}

/**
 * Makes the user fully signed in: a fresh session token (the half-signed-in
 * one ends, so its cookie never gains rights), the failure count cleared,
 * the login audited with how it was proven.
 */
export async function signIn(c: PortalContext, user: User, method: LoginMethod): Promise<void> {
  const { store, clock } = c.get('deps');
  await clearLoginFailures(store.db, accountKey(user.username));
  await endCurrentSessions(c);
  const { token, session } = await startSession(store.db, {
    userId: user.id,
    nowMs: clock(),
    address: c.get('address'),
  });
  setSessionCookie(c, token);
  // The rest of this request (a page rendered in answer) sees the new session.
  c.set('pending', null);
  c.set('session', session);
  c.set('user', user);
  c.set('csrfToken', session.csrfToken);
  await appendAudit(store.db, {
    atMs: clock(),
    actor: 'user',
    actorUserId: user.id,
    action: 'user.login',
    subject: user.username,
    after: { method },
    address: c.get('address'),
  });
}

async function endCurrentSessions(c: PortalContext): Promise<void> {
  const { store, clock } = c.get('deps');
  for (const session of [c.get('session'), c.get('pending')?.session]) {
    if (session) await endSession(store.db, session.tokenHash, clock());
  }
}

/** Minutes the account or address must wait before another code may be tried (0: go ahead). */
export async function codeBlockedMinutes(c: PortalContext, user: User): Promise<number> {
  const { store, clock } = c.get('deps');
  const ms = await loginBlockedFor(store.db, [accountKey(user.username), addressKey(c.get('address'))], clock());
  return ms > 0 ? Math.max(1, Math.ceil(ms / 60_000)) : 0;
}

/** A wrong code counts like a wrong password, for the account and for the address. */
export async function recordCodeFailure(c: PortalContext, user: User): Promise<void> {
  const { store, clock } = c.get('deps');
  await recordLoginFailure(
    store.db,
    [
      { key: accountKey(user.username), freeFailures: ACCOUNT_FREE_FAILURES },
      { key: addressKey(c.get('address')), freeFailures: ADDRESS_FREE_FAILURES },
    ],
    clock(),
  );
}
