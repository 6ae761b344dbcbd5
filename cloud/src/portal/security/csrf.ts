import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { renderCsrfRefused } from '../pages/status-pages.js';
import type { PortalEnv } from '../portal-env.js';
import { newToken } from '../session/portal-sessions.js';

/** Cookie holding the token of forms shown before login (login, set-password). */
export const PRE_SESSION_COOKIE = '__Host-kd-form';
/** Name of the hidden field every form carries. */
export const CSRF_FIELD = '_csrf';

/**
 * CSRF protection in two layers (OWASP): a synchronizer token per session
 * (double-submit cookie before login) that every POST form must carry, and a
 * check that the browser did not send the request from another site
 * (Sec-Fetch-Site / Origin). Only GET and HEAD pass without a token, and no
 * GET handler changes anything.
 */
export function csrfProtection(): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    const session = c.get('session');
    let token = session?.csrfToken;
    if (!token) {
      token = getCookie(c, PRE_SESSION_COOKIE);
      if (!token || token.length < 20 || token.length > 100) {
        token = newToken();
        setCookie(c, PRE_SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
      }
    }
    c.set('csrfToken', token);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (!sameOrigin(c.req.raw)) return renderCsrfRefused(c);
    const contentType = c.req.header('content-type') ?? '';
    if (
      !contentType.startsWith('application/x-www-form-urlencoded') &&
      !contentType.startsWith('multipart/form-data')
    ) {
      return renderCsrfRefused(c);
    }
    const body = await c.req.parseBody();
    const sent = body[CSRF_FIELD];
    if (typeof sent !== 'string' || !equalTokens(sent, token)) return renderCsrfRefused(c);
    return next();
  };
}

function sameOrigin(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.get('origin');
  if (origin === null) return true;
  const host = request.headers.get('host') ?? new URL(request.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function equalTokens(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
