/**
 * The authorization matrix: every route of the portal (taken from the route
 * table, so a new route is in here the moment it is registered) × every kind
 * of caller × an own and a foreign depot, checked against what the route's
 * declared access rule promises. A refused request writes nothing, and a
 * foreign id is answered like an id nobody has, by the same SQL statements.
 * Ids and names in form fields and query parameters: foreign-inputs.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../src/portal/access/access.js';
import type { RouteSpec } from '../../src/portal/access/routes.js';
import { createPortalApp } from '../../src/portal/portal-app.js';
import type { PortalDeps } from '../../src/portal/portal-env.js';
import { DEPOT_ROLES } from '../../src/store/grants.js';
import { testDialects } from '../databases.js';
import { fingerprint } from './portal-crawl.js';
import {
  ACTORS,
  type Actor,
  createPortalWorld,
  fillPath,
  PATH_PARAMETERS,
  type PortalWorld,
  pathParameters,
  type Side,
} from './portal-world.js';
import { SqlRecorder } from './sql-recorder.js';

/** The route table as the code registers it (building the app touches none of its dependencies). */
const ROUTES: readonly RouteSpec[] = createPortalApp({} as PortalDeps).routes;

type Variant = 'own' | 'foreign' | 'own depot, foreign sub-id' | 'own organisation, foreign sub-id';

/** Ids no organisation has, for the answer a foreign id must not differ from. */
const UNKNOWN: Side = {
  organisationId: 987654,
  depotId: 987654,
  pinId: 987654,
  commandId: 987654,
  userId: 987654,
  jobId: 987654,
  customerId: 987654,
  invoiceId: 987654,
};
type Outcome = 'login' | 403 | 404 | 'allowed';

const SUB_IDS = ['pinId', 'commandId', 'userId', 'organisationId', 'jobId', 'customerId', 'invoiceId'];
const ORGANISATION_SUB_IDS = ['customerId', 'invoiceId'];

function variantsOf(route: RouteSpec): Variant[] {
  const params = pathParameters(route);
  const variants: Variant[] = ['own'];
  if (params.some((p) => p === 'depotId' || SUB_IDS.includes(p))) variants.push('foreign');
  if (params.includes('depotId') && params.some((p) => SUB_IDS.includes(p))) variants.push('own depot, foreign sub-id');
  if (params.includes('organisationId') && params.some((p) => ORGANISATION_SUB_IDS.includes(p))) {
    variants.push('own organisation, foreign sub-id');
  }
  return variants;
}

/** What the access rule promises this caller (a foreign id answers 404 like a missing one: docs/design.md). */
function expected(access: Access, actor: Actor, variant: Variant, route: RouteSpec): Outcome {
  if (access.kind === 'public') return 'allowed';
  if (actor === 'anonymous') return 'login';
  // The step after the password sends a signed-in user on to the portal (second-factor-matrix.test.ts covers the step).
  if (access.kind === 'second-factor') return 'allowed';
  if (access.kind === 'signed-in' || access.kind === 'enrolling') {
    // Organisation or user pages outside the operator area are scoped to the user's own organisation.
    const scoped = pathParameters(route).some((p) => p === 'organisationId' || p === 'userId');
    return scoped && variant !== 'own' ? 404 : 'allowed';
  }
  if (access.kind === 'operator') return actor === 'operator' ? 'allowed' : 404;
  if (access.kind === 'organisation') {
    // Depot viewers and managers see no personal data; the depot owner manages the organisation's customers.
    const held = actor === 'org-manager' || actor === 'owner' ? 'manager' : actor === 'org-viewer' ? 'viewer' : null;
    if (variant === 'foreign' || held === null) return 404;
    if (access.role === 'manager' && held === 'viewer') return 403;
    return variant === 'own' ? 'allowed' : 404;
  }
  // The owner actor owns the own organisation's only depot; every other actor is a member without that.
  if (access.kind === 'organisation-owner') return variant === 'foreign' ? 404 : actor === 'owner' ? 'allowed' : 403;
  const held = actor === 'viewer' || actor === 'manager' || actor === 'owner' ? actor : null;
  if (variant === 'foreign' || held === null) return 404;
  if (DEPOT_ROLES.indexOf(held) > DEPOT_ROLES.indexOf(access.role)) return 403;
  return variant === 'own' ? 'allowed' : 404;
}

/** Why a response does not match the promise, or null when it does. */
function mismatch(route: RouteSpec, want: Outcome, response: Response): string | null {
  const { status } = response;
  const location = response.headers.get('location') ?? '';
  if (want === 'login') return status === 303 && location.startsWith('/login') ? null : `${status} ${location}`;
  if (want === 403 || want === 404) return status === want ? null : String(status);
  const ok = route.method === 'GET' ? status < 400 : [200, 303, 400].includes(status);
  return ok ? null : String(status);
}

describe.each(testDialects())('authorization matrix on %s', (dialect) => {
  let world: PortalWorld;
  let recorder: SqlRecorder;
  beforeAll(async () => {
    world = await createPortalWorld(dialect);
    recorder = SqlRecorder.attach(world.h);
  });
  afterAll(() => world.h.dispose());

  it('knows every route Hono serves (none registered around the guard) and can fill every parameter', () => {
    const declared = new Set(world.h.portal.routes.map((r) => `${r.method} ${r.path}`));
    const served = world.h.app.routes
      // Middleware (app.use) shows up as ALL on a wildcard path; a handler registered with all() would not.
      .filter((r) => !(r.method === 'ALL' && r.path.endsWith('*')))
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(served)].filter((r) => !declared.has(r))).toEqual([]);
    expect(world.h.portal.routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path}`),
    );
    const unknown = ROUTES.flatMap((r) => pathParameters(r).filter((p) => !PATH_PARAMETERS.includes(p)));
    expect(unknown).toEqual([]);
    for (const route of ROUTES) {
      if (route.access.kind === 'depot')
        expect(route.path, 'depot routes live under /depots/:depotId').toMatch(/^\/depots\/:depotId(\/|$)/);
      if (route.path.includes(':depotId')) expect(route.access.kind, `${route.path} needs depotRole()`).toBe('depot');
      if (route.access.kind === 'organisation') {
        expect(route.path, 'organisation routes live under /organisations/:organisationId').toMatch(
          /^\/organisations\/:organisationId\//,
        );
      }
      if (route.path.includes(':customerId') || route.path.includes(':invoiceId')) {
        expect(route.access.kind, `${route.path} needs organisationRole()`).toBe('organisation');
      }
    }
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_, route) => {
    const failures: string[] = [];
    const send = async (actor: Actor, path: string) => {
      const client = world.client(actor);
      const { result: response, statements } = await recorder.during(() =>
        route.method === 'GET' ? client.get(path) : client.post(path, { _csrf: world.csrf(actor) }),
      );
      const html = (response.headers.get('content-type') ?? '').includes('text/html');
      // Any other body (a stylesheet, the dashboard's event stream) is not read.
      const body = html ? await response.text() : '';
      if (!html) await response.body?.cancel();
      return { response, body, statements };
    };
    for (const variant of variantsOf(route)) {
      const depot = variant === 'foreign' ? world.foreign : world.own;
      // 'own organisation, foreign sub-id' takes the own organisation and the foreign customer or invoice (fillPath).
      const sub = variant === 'own' ? world.own : world.foreign;
      const path = fillPath(world, route, depot, sub);
      // The same path with ids nobody has in place of the foreign ones: it must not answer differently.
      const unknownPath = fillPath(world, route, variant === 'foreign' ? UNKNOWN : world.own, UNKNOWN);
      for (const actor of ACTORS) {
        const want = expected(route.access, actor, variant, route);
        const before = want === 'allowed' ? '' : await fingerprint(world.h.db.db);
        const { response, body, statements } = await send(actor, path);
        const wrong = mismatch(route, want, response);
        if (wrong !== null) failures.push(`${actor} on ${variant} (${path}): expected ${want}, got ${wrong}`);
        if (want !== 'allowed' && (await fingerprint(world.h.db.db)) !== before) {
          failures.push(`${actor} on ${variant} (${path}): refused, but the store changed`);
        }
        if (variant !== 'own' && (want === 403 || want === 404)) {
          const unknown = await send(actor, unknownPath);
          // The page names its own path (the language switch returns there): that part may differ.
          const page = (text: string, own: string) => text.replaceAll(own, 'PATH');
          const unlike = [
            unknown.response.status !== response.status && 'status',
            page(unknown.body, unknownPath) !== page(body, path) && 'page',
            JSON.stringify(unknown.statements) !== JSON.stringify(statements) && 'statements',
          ].filter(Boolean);
          if (unlike.length > 0)
            failures.push(`${actor} on ${variant} (${path}): ${unlike.join(', ')} unlike ${unknownPath}`);
        }
        // Only a POST that got past the guard can have changed something (a grant removed, a session ended).
        if (route.method === 'POST' && want === 'allowed') {
          await world.restore();
          await world.keepSignedIn(actor);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
