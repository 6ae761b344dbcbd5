import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { findUserById } from '../../store/users.js';
import type { PortalContext, PortalEnv } from '../portal-env.js';
import { findSession, SESSION_ABSOLUTE_MS } from './portal-sessions.js';

/**
 * The session cookie. `__Host-` makes the browser refuse it unless it is
 * Secure, has Path=/ and no Domain, so a sibling subdomain cannot plant one
 * (session fixation). Browsers treat http://localhost and 127.0.0.1 as secure,
 * so the demo works without TLS.
 */
export const SESSION_COOKIE = '__Host-kd-session';

export function setSessionCookie(c: PortalContext, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  });
}

export function clearSessionCookie(c: PortalContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
}

/**
 * Loads the session and its user for every request; a disabled user has none.
 * A session that still owes its second factor sets neither `user` nor
 * `session`, only `pending`: every guard but the second-factor step's sees a
 * visitor who is not signed in.
 */
export function sessionMiddleware(): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    c.set('pending', null);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const { store, clock } = c.get('deps');
      const session = await findSession(store.db, token, clock());
      const user = session ? await findUserById(store.db, session.userId) : null;
      if (session && user && user.disabledAtMs === null) {
        if (session.secondFactor === 'done') {
          c.set('session', session);
          c.set('user', user);
        } else {
          c.set('pending', { session, user, stage: session.secondFactor });
        }
      } else {
        clearSessionCookie(c);
      }
    }
    return next();
  };
}
