import type { MiddlewareHandler } from 'hono';
import type { PortalEnv } from '../portal-env.js';

/**
 * Headers on every portal response. The CSP allows scripts and styles only
 * from our own origin (no inline script, no eval), so an injected <script>
 * would not run even if escaping ever failed; frames are refused (clickjacking).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function secureHeaders(options: { tls: boolean }): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'same-origin');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // Only over TLS: HSTS on plain HTTP is ignored by browsers and would mislead.
    if (options.tls) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
  };
}
