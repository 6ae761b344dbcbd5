import type { RouteSpec } from '../../src/portal/access/routes.js';
import type { Side } from './portal-world.js';

/** What a form field or query parameter names, when it names something of an organisation. */
export type Names = 'user-name' | 'depot-id' | 'organisation-id';

/**
 * What a caller of the other organisation must get for a value that names
 * something of theirs:
 * - as-unknown: byte for byte the answer to a value nobody has, by the same
 *   database statements (so neither the page nor its timing tells them apart),
 *   and nothing written;
 * - refused: an error answer and nothing written, though it may differ from
 *   the unknown one (a new user name is unique across the service, so "taken"
 *   cannot look like a name that is free: that form creates the account);
 * - serves-all: the service operator works for every organisation, and this
 *   form is how they do (membership, accounts): not tried as the operator.
 */
export type ForeignRule = 'as-unknown' | 'refused' | 'serves-all';

/** One field that takes an id or name, with the rest of a form that is valid otherwise. */
export interface IdInput {
  readonly field: string;
  readonly names: Names;
  /** The other fields, so that the id or name is what decides the answer. */
  readonly with: Readonly<Record<string, string>>;
  readonly rule: ForeignRule;
  /** The rule for the service operator, when it differs. */
  readonly operator?: ForeignRule;
  /**
   * A value of the caller's own organisation whose answer differs from the
   * unknown one's for at least one caller: proof that the field is read at all
   * (and the check above is not true of a field nobody looks at).
   */
  readonly own?: (own: Side) => string;
}

export interface RouteInputs {
  /** Fields (POST) or query parameters (GET) that name nothing of any organisation. `*` ends a prefix. */
  readonly values: readonly string[];
  readonly ids: readonly IdInput[];
}

const none: RouteInputs = { values: [], ids: [] };
const values = (...names: string[]): RouteInputs => ({ values: names, ids: [] });

const NEW_USER = ['username', 'displayName', 'language'];
const DEPOT_FORM = { name: 'Neu', address: '', compartments: '4', timeZone: 'Europe/Berlin', language: 'de' };
// Customer numbers are per organisation (every organisation has a customer 1): they name nothing of another one.
const CUSTOMER_FORM = ['name', 'company', 'email', 'phone', 'address', 'plate', 'note', 'language'];
// Compartment 9, which no depot of the world has: the own depot is read (and answers "no such
// compartment") without a draft being written; a foreign or unknown depot is "not one of yours".
const INVOICE_FORM = {
  customer: '1',
  invoice_date: '2026-11-28',
  due_date: '2026-12-12',
  compartment: '9',
  'line0.text': 'Teil',
  'line0.quantity': '1',
  'line0.price': '10',
  'line0.vat': '19',
};
const INVOICE_VALUES = [
  'customer',
  'invoice_date',
  'due_date',
  'compartment',
  'pickup_from',
  'pickup_until',
  'line*',
  'add_line',
];
const INVOICE_DEPOT: IdInput = {
  field: 'depot',
  names: 'depot-id',
  with: INVOICE_FORM,
  rule: 'as-unknown',
  own: (own) => String(own.depotId),
};

/**
 * Every route's inputs beyond its path. The foreign-inputs test fails for a
 * route of the table that is missing here, and for a field on any crawled
 * form or link that its route does not list, so a new id field is tried with
 * a foreign id as soon as it exists.
 */
export const ROUTE_INPUTS: Readonly<Record<string, RouteInputs>> = {
  'GET /static/:name': none,
  'GET /login': values('next', 'done'),
  'POST /login': values('username', 'password', 'next'),
  'POST /logout': none,
  'POST /language': values('language', 'next'),
  'GET /account': values('done'),
  'POST /account/password': values('current', 'password', 'repeat'),
  'GET /set-password/:token': none,
  'POST /set-password/:token': values('password', 'repeat'),
  // Second factor. A passkey id names a passkey of the caller's own account only (another user's answers
  // like an unknown one: second-factor.test.ts), challenges and responses are checked against the store.
  'GET /login/second-factor': values('next'),
  'POST /login/second-factor/totp': values('code', 'next'),
  'POST /login/second-factor/recovery': values('recovery', 'next'),
  'POST /login/second-factor/passkey-options': none,
  'POST /login/second-factor/passkey': values('response', 'next'),
  'GET /login/enrol': values('next'),
  'POST /login/cancel': none,
  'POST /login/passkey-options': none,
  'POST /login/passkey': values('response', 'next'),
  'POST /account/totp/start': values('next'),
  'GET /account/totp': values('next'),
  'POST /account/totp/confirm': values('code', 'next'),
  'POST /account/totp/remove': none,
  'POST /account/recovery-codes': none,
  'POST /account/passkeys/options': none,
  'POST /account/passkeys': values('name', 'response', 'next'),
  'POST /account/passkeys/rename': values('passkey', 'name'),
  'POST /account/passkeys/remove': values('passkey'),
  'POST /account/reauth/passkey-options': none,
  'POST /admin/organisations/:organisationId/second-factor': values('policy'),
  'GET /': values('page'),
  'GET /dashboard/live': values('page'),
  'GET /depots/:depotId/pins': values('page'),
  'GET /depots/:depotId/pins/new': none,
  'POST /depots/:depotId/pins': values(
    'kind',
    'compartment',
    'label',
    'from_date',
    'from_time',
    'until_date',
    'until_time',
    'day_*',
    'duration',
  ),
  'GET /depots/:depotId/pins/:pinId': values('done'),
  'POST /depots/:depotId/pins/:pinId/reveal': none,
  'POST /depots/:depotId/pins/:pinId/revoke': none,
  'GET /depots/:depotId/open': none,
  'POST /depots/:depotId/open': values('compartment', 'password', 'passkey'),
  'POST /depots/:depotId/lockout-reset': none,
  'GET /depots/:depotId/commands/:commandId': none,
  'GET /depots/:depotId': values('saved'),
  // before/after are positions (time.event id) within the depot's own rows, never looked up.
  'GET /depots/:depotId/movements': values('compartment', 'kind', 'from', 'to', 'before', 'after'),
  'GET /depots/:depotId/exports/movements': values('compartment', 'kind', 'from', 'to', 'delimiter'),
  'GET /depots/:depotId/exports/report': values('month'),
  'GET /depots/:depotId/exports/pins': values('delimiter'),
  'GET /depots/:depotId/exports/jobs': values('started'),
  'POST /depots/:depotId/exports/jobs': values('export', 'compartment', 'kind', 'from', 'to', 'delimiter', 'month'),
  'GET /depots/:depotId/exports/jobs/live': none,
  'GET /depots/:depotId/exports/jobs/:jobId': none,
  'GET /depots/:depotId/exports/commands': values('delimiter'),
  'GET /depots/:depotId/exports/alerts': values('compartment', 'from', 'to', 'delimiter'),
  'GET /depots/:depotId/settings': none,
  'POST /depots/:depotId/settings': values('name', 'address', 'timeZone', 'label-*'),
  'GET /depots/:depotId/users': values('done'),
  'POST /depots/:depotId/users': {
    values: ['kind', 'memberRole', 'role', ...NEW_USER],
    ids: [
      {
        field: 'member',
        names: 'user-name',
        with: { kind: 'existing', memberRole: 'owner' },
        rule: 'as-unknown',
        // The own depot's member has a role there already: "has a role", not "no such user".
        own: () => 'member-own',
      },
      {
        field: 'username',
        names: 'user-name',
        with: { kind: 'new', displayName: 'Neu', language: 'de', role: 'viewer' },
        rule: 'refused',
      },
    ],
  },
  'POST /depots/:depotId/users/:userId': values('role'),
  'POST /depots/:depotId/users/:userId/remove': none,
  'GET /audit': {
    values: ['action', 'from', 'to', 'page', 'system'],
    ids: [
      {
        field: 'depot',
        names: 'depot-id',
        with: {},
        rule: 'as-unknown',
        own: (own) => String(own.depotId),
      },
      { field: 'actor', names: 'user-name', with: {}, rule: 'as-unknown' },
    ],
  },
  // The page's own filter (and scope) with the export's separator: ids and names tried as on the page.
  'GET /audit/export': {
    values: ['action', 'from', 'to', 'delimiter'],
    ids: [
      { field: 'depot', names: 'depot-id', with: {}, rule: 'as-unknown', own: (own) => String(own.depotId) },
      { field: 'actor', names: 'user-name', with: {}, rule: 'as-unknown' },
    ],
  },
  'GET /admin': values('done'),
  'POST /admin/organisations': values('name'),
  'POST /admin/users': {
    values: [...NEW_USER, 'operator'],
    ids: [
      {
        field: 'organisation',
        names: 'organisation-id',
        with: { username: 'neu.konto', displayName: 'Neu', language: 'de' },
        rule: 'as-unknown',
        operator: 'serves-all',
      },
    ],
  },
  'POST /admin/users/:userId/disable': none,
  'POST /admin/users/:userId/enable': none,
  'POST /admin/users/:userId/password-link': none,
  'GET /admin/organisations/:organisationId': values('done'),
  'POST /admin/organisations/:organisationId/members': {
    values: [],
    ids: [{ field: 'username', names: 'user-name', with: {}, rule: 'as-unknown', operator: 'serves-all' }],
  },
  'GET /customers': none,
  'GET /organisations/:organisationId/customers': values('q', 'before'),
  'GET /organisations/:organisationId/customers/new': none,
  'POST /organisations/:organisationId/customers': values(...CUSTOMER_FORM),
  'GET /organisations/:organisationId/customers/:customerId': values('done'),
  'GET /organisations/:organisationId/customers/:customerId/edit': none,
  'POST /organisations/:organisationId/customers/:customerId': values(...CUSTOMER_FORM),
  'GET /organisations/:organisationId/customers/:customerId/export': none,
  'POST /organisations/:organisationId/customers/:customerId/erase': values('confirm'),
  'GET /organisations/:organisationId/invoices': values('state', 'before'),
  'GET /organisations/:organisationId/invoices/new': values('customer'),
  'POST /organisations/:organisationId/invoices': { values: INVOICE_VALUES, ids: [INVOICE_DEPOT] },
  'GET /organisations/:organisationId/invoices/settings': values('done'),
  'POST /organisations/:organisationId/invoices/settings': values('prefix', 'year', 'retention'),
  'GET /organisations/:organisationId/invoices/:invoiceId': none,
  'GET /organisations/:organisationId/invoices/:invoiceId/edit': none,
  // The world's invoice is issued: its form is refused before the depot is read (no `own` proof here).
  'POST /organisations/:organisationId/invoices/:invoiceId': {
    values: INVOICE_VALUES,
    ids: [{ ...INVOICE_DEPOT, own: undefined }],
  },
  'POST /organisations/:organisationId/invoices/:invoiceId/issue': none,
  'POST /organisations/:organisationId/invoices/:invoiceId/pay': values('method'),
  'POST /organisations/:organisationId/invoices/:invoiceId/cancel': values('confirm'),
  'POST /organisations/:organisationId/invoices/:invoiceId/refund': values('confirm'),
  'POST /admin/organisations/:organisationId/depots': {
    values: Object.keys(DEPOT_FORM),
    ids: [{ field: 'owner', names: 'user-name', with: DEPOT_FORM, rule: 'as-unknown', operator: 'refused' }],
  },
  'GET /payment': none,
  'GET /organisations/:organisationId/payment': values('done'),
  'POST /organisations/:organisationId/payment': values('clientId', 'secret', 'environment', 'webhookId'),
  'POST /organisations/:organisationId/payment/check': none,
  'GET /organisations/:organisationId/mail': values('done'),
  'POST /organisations/:organisationId/mail/test': values('address'),
};

export const routeKey = (route: RouteSpec) => `${route.method} ${route.path}`;

/** Whether a field name is one of the listed ones (`label-*` lists every `label-…`). */
export function listed(names: readonly string[], field: string): boolean {
  return names.some((n) => (n.endsWith('*') ? field.startsWith(n.slice(0, -1)) : n === field));
}

/** The route a concrete path (no query) is served by: the one with the fewest parameters among those that match. */
export function routeOf(routes: readonly RouteSpec[], method: string, path: string): RouteSpec | null {
  const matching = routes.filter((r) => {
    if (r.method !== method) return false;
    const pattern = r.path.replace(/:[A-Za-z]+/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  const params = (r: RouteSpec) => (r.path.match(/:/g) ?? []).length;
  return matching.sort((a, b) => params(a) - params(b))[0] ?? null;
}
