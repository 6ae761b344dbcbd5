import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { findDepotById } from '../../store/depots.js';
import { isDepotRole } from '../../store/grants.js';
import { organisationRoleOf } from '../../store/organisation-roles.js';
import { findOrganisationById } from '../../store/organisations.js';
import { isOrganisationMember, isOrganisationOwner } from '../../store/payments/organisation-owner.js';
import type { DepotRole, OrganisationRole, Schema } from '../../store/schema.js';
import { renderForbidden, renderNotFound } from '../pages/status-pages.js';
import type { PortalEnv } from '../portal-env.js';

/**
 * Who may call a route. Every route of the portal declares one when it is
 * registered (routes.ts), and the authorization matrix test walks all of them.
 * - public: anyone (login, set-password link, static files);
 * - signed-in: any user with a live session;
 * - operator: the service operator (us) only;
 * - depot: a role of at least `role` on the depot in the path's `:depotId`;
 * - second-factor: a session that has the password and owes its second
 *   factor (`stage`: proving one, or enrolling one as policy requires);
 * - enrolling: a signed-in user, or a session owing an enrolment (adding a
 *   second factor works from the account page and right after the password).
 * - organisation: a role of at least `role` on the customer data of the
 *   organisation in the path's `:organisationId` (store/organisation-roles.ts).
 * - organisation-owner: an owner of the organisation in the path's
 *   `:organisationId` (store/payments/organisation-owner.ts).
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'second-factor'; readonly stage: 'verify' | 'enrol' }
  | { readonly kind: 'enrolling' }
  | { readonly kind: 'operator' }
  | { readonly kind: 'depot'; readonly role: DepotRole }
  | { readonly kind: 'organisation'; readonly role: OrganisationRole }
  | { readonly kind: 'organisation-owner' };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed-in' };
export const OPERATOR: Access = { kind: 'operator' };
export const SECOND_FACTOR_STEP: Access = { kind: 'second-factor', stage: 'verify' };
export const ENROL_STEP: Access = { kind: 'second-factor', stage: 'enrol' };
export const ENROLLING: Access = { kind: 'enrolling' };
export const depotRole = (role: DepotRole): Access => ({ kind: 'depot', role });
export const organisationRole = (role: OrganisationRole): Access => ({ kind: 'organisation', role });
export const ORGANISATION_OWNER: Access = { kind: 'organisation-owner' };

const RANK: Record<DepotRole, number> = { viewer: 1, manager: 2, owner: 3 };

/** Whether `held` is at least `needed` (owner ⊇ manager ⊇ viewer). */
export function roleAllows(held: DepotRole, needed: DepotRole): boolean {
  return RANK[held] >= RANK[needed];
}

/** A path id: digits only, as a safe integer; anything else is "no such thing". */
export function parseId(value: string | undefined): number | null {
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** The user's role on a live (not revoked) depot, with the depot; null when they have none. */
export async function depotAccessOf(db: Kysely<Schema>, depotId: number, userId: number) {
  const grant = await db
    .selectFrom('depot_grants')
    .select('role')
    .where('depot_id', '=', depotId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!grant || !isDepotRole(grant.role)) return null;
  const depot = await findDepotById(db, depotId);
  if (!depot || depot.revokedAtMs !== null) return null;
  return { depot, role: grant.role };
}

/**
 * The guard for one access rule. A depot the user holds no role on answers 404,
 * exactly like a depot that does not exist, so ids of others' depots leak
 * nothing; a role too weak on one's own depot answers 403.
 */
export function guard(access: Access): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    if (access.kind === 'public') return next();
    const user = c.get('user');
    const pending = c.get('pending');
    if (access.kind === 'second-factor') {
      if (pending?.stage === access.stage) return next();
      // Signed in already, or at the other step: where that session belongs.
      if (user) return c.redirect('/', 303);
      if (pending) return c.redirect(pending.stage === 'verify' ? '/login/second-factor' : '/login/enrol', 303);
      return c.redirect('/login', 303);
    }
    if (access.kind === 'enrolling' && !user && pending?.stage === 'enrol') return next();
    if (!user) {
      if (c.req.method === 'GET') {
        const next = encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search);
        return c.redirect(`/login?next=${next}`, 303);
      }
      return c.redirect('/login', 303);
    }
    if (access.kind === 'signed-in' || access.kind === 'enrolling') return next();
    if (access.kind === 'operator') return user.isOperator ? next() : renderNotFound(c);
    if (access.kind === 'organisation') {
      const db = c.get('deps').store.db;
      const organisationId = parseId(c.req.param('organisationId'));
      if (organisationId === null) return renderNotFound(c);
      const held = await organisationRoleOf(db, organisationId, user.id);
      const organisation = held === null ? null : await findOrganisationById(db, organisationId);
      if (held === null || organisation === null) return renderNotFound(c);
      if (access.role === 'manager' && held !== 'manager') return renderForbidden(c);
      c.set('organisation', organisation);
      c.set('organisationRole', held);
      return next();
    }
    if (access.kind === 'organisation-owner') {
      // Like a depot: another organisation's id answers as if it did not exist; a member who is no owner gets 403.
      const organisationId = parseId(c.req.param('organisationId'));
      const db = c.get('deps').store.db;
      if (organisationId === null || !(await isOrganisationMember(db, organisationId, user.id))) {
        return renderNotFound(c);
      }
      if (!(await isOrganisationOwner(db, organisationId, user.id))) return renderForbidden(c, 'organisation');
      c.set('organisationId', organisationId);
      return next();
    }
    const depotId = parseId(c.req.param('depotId'));
    if (depotId === null) return renderNotFound(c);
    const found = await depotAccessOf(c.get('deps').store.db, depotId, user.id);
    if (!found) return renderNotFound(c);
    if (!roleAllows(found.role, access.role)) return renderForbidden(c);
    c.set('depot', found.depot);
    c.set('role', found.role);
    return next();
  };
}
