import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { RouteSpec } from './access/routes.js';
import { accessAdminArea } from './access-admin/access-admin-routes.js';
import { adminArea } from './admin/admin-routes.js';
import { auditArea } from './audit/audit-routes.js';
import { authArea, LANGUAGE_COOKIE } from './auth/auth-routes.js';
import { customersArea, customersEntryArea } from './customers/customers-routes.js';
import { dashboardArea } from './dashboard/dashboard-routes.js';
import { depotArea } from './depot/depot-routes.js';
import { auditExportArea, exportArea } from './exports/export-routes.js';
import { chooseLanguage } from './i18n/language.js';
import { invoicesArea } from './invoices/invoices-routes.js';
import { renderNotFound, renderServerError } from './pages/status-pages.js';
import { paymentArea } from './payments/payment-routes.js';
import { pinsArea } from './pins/pins-routes.js';
import type { PortalDeps, PortalEnv } from './portal-env.js';
import { remoteArea } from './remote/remote-routes.js';
import { accountSecondFactorArea } from './second-factor/account-routes.js';
import { loginStepArea } from './second-factor/login-step-routes.js';
import { secondFactorPolicyArea } from './second-factor/policy-routes.js';
import { reauthArea } from './second-factor/reauthenticate.js';
import { csrfProtection } from './security/csrf.js';
import { secureHeaders } from './security/secure-headers.js';
import { sessionMiddleware } from './session/session-middleware.js';

/** The invoice draft forms (new and edit), the only ones allowed a large body. */
const INVOICE_FORM = /^\/organisations\/\d{1,16}\/invoices(\/\d{1,16})?$/;

/** Files under /static: read once when the app is built, served with a day of caching. */
const STATIC_FILES: Record<string, string> = {
  'portal.css': 'text/css; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
  'copy.js': 'text/javascript; charset=utf-8',
  'passkeys.js': 'text/javascript; charset=utf-8',
};

/**
 * Third-party browser code served from /static like our own (the CSP allows
 * scripts from this origin only): the WebAuthn helper, as the package ships
 * it, found through the package so an update needs no copy.
 */
function vendorFiles(): Record<string, URL> {
  const webauthn = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return { 'webauthn.js': new URL('../dist/bundle/index.umd.min.js', pathToFileURL(webauthn)) };
}

/**
 * The areas of the portal, each a sub-app with its routes and their access
 * rules. One line per area (areas are added in parallel, so keep it a list).
 */
function areas() {
  return [
    authArea(), // login, logout, language, account, set-password links
    loginStepArea(), // the second factor after the password, passkey login
    accountSecondFactorArea(), // passkeys, authenticator app and recovery codes of one's account
    reauthArea(), // passkey options for re-authentication before a remote open, refund or payment change
    dashboardArea(), // the start page
    pinsArea(), // a depot's PINs: list, create, reveal, revoke
    remoteArea(), // remote open, lockout reset, a command's way to the depot
    depotArea(), // a depot's overview, movements, master data
    exportArea(), // CSV and PDF downloads of a depot's lists
    accessAdminArea(), // a depot's users and their roles (owners)
    customersEntryArea(), // /customers: to the customers of the user's organisation
    customersArea(), // an organisation's customers: list, search, create, edit, GDPR export and erasure
    invoicesArea(), // an organisation's invoices: drafts, issue, mark paid with PIN release, cancel, refund
    auditArea(), // the audit log of the user's depots (owners, managers; operators also the rest)
    auditExportArea(), // the audit log as CSV, same scope and filter
    adminArea(), // organisations, accounts, depot provisioning (service operators)
    paymentArea(), // an organisation's PayPal settings (organisation owners)
    secondFactorPolicyArea(), // an organisation's second-factor rule (service operators)
  ];
}

export interface Portal {
  readonly app: Hono<PortalEnv>;
  /** Every route with its access rule (the authorization matrix test walks these). */
  readonly routes: readonly RouteSpec[];
}

/**
 * Builds the portal (no socket: serve.ts mounts it, tests call app.request()).
 * Middleware order matters: headers wrap everything; the session must be
 * known before the language (stored per user) and before CSRF (the token
 * belongs to the session).
 */
export function createPortalApp(deps: PortalDeps): Portal {
  const app = new Hono<PortalEnv>();
  const statics = new Map<string, { body: string; type: string }>();
  for (const [name, type] of Object.entries(STATIC_FILES)) {
    try {
      statics.set(name, { body: readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8'), type });
    } catch {
      // A missing optional file (live.js) is served as 404.
    }
  }
  for (const [name, url] of Object.entries(vendorFiles())) {
    statics.set(name, { body: readFileSync(url, 'utf8'), type: 'text/javascript; charset=utf-8' });
  }

  app.use(secureHeaders({ tls: deps.tls }));
  // Invoice forms may carry up to 100 lines; a larger body is still read (up to 1 MiB), so a
  // form with thousands of lines comes back with a message instead of a bare 413.
  const smallBody = bodyLimit({ maxSize: 64 * 1024 });
  const invoiceBody = bodyLimit({ maxSize: 1024 * 1024 });
  app.use((c, next) => (INVOICE_FORM.test(c.req.path) ? invoiceBody(c, next) : smallBody(c, next)));
  app.use(async (c, next) => {
    c.set('deps', deps);
    const forwarded = deps.trustForwardedFor ? c.req.header('x-forwarded-for')?.split(',').pop()?.trim() : undefined;
    c.set('address', forwarded || clientAddress(c.env));
    return next();
  });
  app.use(sessionMiddleware());
  app.use(async (c, next) => {
    c.set(
      'lang',
      chooseLanguage({
        userLanguage: c.get('user')?.language,
        cookie: getCookie(c, LANGUAGE_COOKIE),
        acceptLanguage: c.req.header('accept-language'),
      }),
    );
    return next();
  });
  app.use(csrfProtection());

  app.get('/static/:name', (c) => {
    const file = statics.get(c.req.param('name'));
    if (!file) return c.notFound();
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(file.body);
  });

  const routes: RouteSpec[] = [{ method: 'GET', path: '/static/:name', access: { kind: 'public' } }];
  for (const area of areas()) {
    app.route(area.prefix || '/', area.app);
    routes.push(...area.specs);
  }

  app.notFound((c) => renderNotFound(c));
  app.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, 'portal request failed');
    return renderServerError(c);
  });
  return { app, routes };
}

/** The peer address from @hono/node-server's bindings (tests pass the same shape to app.request()). */
function clientAddress(env: unknown): string {
  const socket = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  return socket?.remoteAddress ?? 'unknown';
}
