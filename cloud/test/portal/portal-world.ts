import { randomBytes } from 'node:crypto';
import { CommandKind, EventKind } from '@keydepot/shared';
import type { RouteSpec } from '../../src/portal/access/routes.js';
import { createPasswordToken } from '../../src/portal/session/password-tokens.js';
import { SESSION_COOKIE } from '../../src/portal/session/session-middleware.js';
import { createCustomer } from '../../src/store/customers/customers.js';
import type { Dialect } from '../../src/store/database.js';
import { createExportJob } from '../../src/store/exports/export-jobs.js';
import { grantDepotRole } from '../../src/store/grants.js';
import { issueInvoice } from '../../src/store/invoices/invoice-actions.js';
import { createDraft } from '../../src/store/invoices/invoices.js';
import { setOrganisationRole } from '../../src/store/organisation-roles.js';
import { digitsPlace } from '../../src/store/portal/pins.js';
import { queueCommand } from '../../src/store/relay/commands.js';
import type { DepotRole, OrganisationRole } from '../../src/store/schema.js';
import { createPortalHarness, csrfTokenIn, type PortalClient, type PortalHarness } from './portal-harness.js';

/** Who calls a route in the authorization matrix. */
export type Actor =
  | 'anonymous'
  | 'no-grant'
  | 'viewer'
  | 'manager'
  | 'owner'
  | 'operator'
  // Roles on the organisation's customers and invoices only (no depot role).
  | 'org-viewer'
  | 'org-manager';
export const ACTORS: readonly Actor[] = [
  'anonymous',
  'no-grant',
  'viewer',
  'manager',
  'owner',
  'operator',
  'org-viewer',
  'org-manager',
];

/** The ids of one organisation's world: a depot with real rows of every kind a path can name. */
export interface Side {
  readonly organisationId: number;
  readonly depotId: number;
  readonly pinId: number;
  readonly commandId: number;
  /** A user with a grant on this depot who is none of the actors (so removing the grant harms no actor). */
  readonly userId: number;
  /** A finished background export of this depot (its file in the harness's export folder). */
  readonly jobId: number;
  /** A customer of the organisation with an issued (open) invoice that names the depot's compartment 1. */
  readonly customerId: number;
  readonly invoiceId: number;
}

/**
 * Two organisations: "own" (the actors' depot, where viewer, manager and owner
 * hold their roles) and "foreign" (another organisation's depot nobody of the
 * actors can reach), each with a PIN, commands, events and a member, plus one
 * signed-in client per actor. The security tests and the matrix share it.
 */
export interface PortalWorld {
  readonly h: PortalHarness;
  readonly own: Side;
  readonly foreign: Side;
  /** A live set-password link (public route parameter). */
  readonly token: string;
  client(actor: Actor): PortalClient;
  /** The CSRF token of the actor's current session (or pre-session cookie). */
  csrf(actor: Actor): string;
  /** Signs the actor in again if a request ended its session (POST /logout). */
  keepSignedIn(actor: Actor): Promise<void>;
  /** Puts back what an allowed empty POST may have changed (a member's grant). */
  restore(): Promise<void>;
}

const ROLE_OF: Partial<Record<Actor, DepotRole>> = { viewer: 'viewer', manager: 'manager', owner: 'owner' };
const ORGANISATION_ROLE_OF: Partial<Record<Actor, OrganisationRole>> = {
  'org-viewer': 'viewer',
  'org-manager': 'manager',
};

export async function createPortalWorld(dialect: Dialect): Promise<PortalWorld> {
  const h = await createPortalHarness(dialect);
  const ownOrg = await h.organisation('Autohaus Kern');
  const foreignOrg = await h.organisation('Ferienwohnungen Seeblick');
  const own = await makeSide(h, ownOrg, 'own');
  const foreign = await makeSide(h, foreignOrg, 'foreign');
  const actorIds = new Map<Actor, number>();
  for (const actor of ACTORS) {
    if (actor === 'anonymous') continue;
    const id = await h.user(`actor-${actor}`, { organisationId: ownOrg, operator: actor === 'operator' });
    actorIds.set(actor, id);
    const role = ROLE_OF[actor];
    if (role) await h.grant(own.depotId, id, role);
    const organisationRole = ORGANISATION_ROLE_OF[actor];
    if (organisationRole) {
      await setOrganisationRole(h.db.db, {
        organisationId: ownOrg,
        userId: id,
        role: organisationRole,
        nowMs: h.now,
        actor: 'cli',
        actorUserId: null,
      });
    }
  }
  const token = await createPasswordToken(h.db.db, { userId: own.userId, createdByUserId: null, nowMs: h.now });

  const clients = new Map<Actor, PortalClient>();
  const tokens = new Map<Actor, string>();
  const signIn = async (actor: Actor) => {
    const client = h.client(`198.51.100.${ACTORS.indexOf(actor) + 1}`);
    if (actor === 'anonymous') await client.get('/login');
    else await client.login(`actor-${actor}`);
    const csrf = csrfTokenIn(client.lastHtml);
    if (!csrf) throw new Error(`no CSRF token on the first page of ${actor}`);
    clients.set(actor, client);
    tokens.set(actor, csrf);
  };
  for (const actor of ACTORS) await signIn(actor);

  return {
    h,
    own,
    foreign,
    token,
    client: (actor) => clients.get(actor) as PortalClient,
    csrf: (actor) => tokens.get(actor) as string,
    async keepSignedIn(actor) {
      if (actor !== 'anonymous' && !clients.get(actor)?.cookies.has(SESSION_COOKIE)) await signIn(actor);
    },
    async restore() {
      for (const side of [own, foreign]) {
        await grantDepotRole(h.db.db, { depotId: side.depotId, userId: side.userId, role: 'viewer', nowMs: h.now });
      }
      await h.db.db.updateTable('users').set({ disabled_at_ms: null }).execute();
    },
  };
}

async function makeSide(h: PortalHarness, organisationId: number, name: 'own' | 'foreign'): Promise<Side> {
  const depotId = await h.depot(organisationId, `Depot ${name}`, 4);
  const userId = await h.user(`member-${name}`, { organisationId });
  await h.grant(depotId, userId, 'viewer');
  const pinId = await insertPin(h, depotId);
  // Command ids count per depot. The foreign depot's start far above any id the own depot reaches
  // while the matrix runs (remote open, lockout reset and PIN revoke POSTs queue commands there).
  if (name === 'foreign') {
    await h.db.db.updateTable('depots').set({ last_command_id: 100_000 }).where('id', '=', depotId).execute();
  }
  const commandId = await queueCommand(h.db, depotId, { command: CommandKind.LockoutReset }, { nowMs: h.now });
  const epoch = new Uint8Array(randomBytes(8));
  const kinds = [EventKind.PinAccepted, EventKind.Unlocked, EventKind.DoorOpened, EventKind.KeyRemoved];
  await h.db.db
    .insertInto('events')
    .values(
      kinds.map((kind, i) => ({
        depot_id: depotId,
        journal_epoch: epoch,
        sequence: i + 1,
        kind,
        compartment: 1,
        depot_time_ms: h.now - 3_600_000 + i * 1_000,
        received_at_ms: h.now - 3_600_000 + i * 1_000,
      })),
    )
    .execute();
  // As the relay keeps it when it stores events (migration 008).
  await h.db.db
    .updateTable('depots')
    .set({ last_event_ms: h.now - 3_600_000 + (kinds.length - 1) * 1_000 })
    .where('id', '=', depotId)
    .execute();
  const jobId = await createExportJob(h.db.db, {
    depotId,
    userId,
    kind: 'pins',
    params: { query: {}, lang: 'de' },
    nowMs: h.now,
  });
  await h.exports.drain();
  const { customerId, invoiceId } = await insertCustomerAndInvoice(h, organisationId, depotId);
  return { organisationId, depotId, pinId, commandId, userId, jobId, customerId, invoiceId };
}

/** A customer and an open invoice for compartment 1, through the store as the pages write them. */
async function insertCustomerAndInvoice(h: PortalHarness, organisationId: number, depotId: number) {
  const actor = { organisationId, actor: 'cli' as const, userId: null, nowMs: h.now, address: null };
  const keys = { sealer: h.deps.sealer, index: h.deps.blindIndex };
  const customer = await createCustomer(h.db.db, keys, actor, {
    name: 'Herr Müller',
    company: '',
    email: 'mueller@example.org',
    phone: '0171 2345678',
    address: 'Werkstattweg 1, 20095 Hamburg',
    plate: 'HH-KM 42',
    note: '',
    language: 'de',
  });
  const invoiceId = await createDraft(h.db.db, actor, {
    customerId: customer.id,
    invoiceDate: '2026-11-28',
    dueDate: '2026-12-12',
    depotId,
    compartment: 1,
    pickupFromMs: null,
    pickupUntilMs: null,
    lines: [{ text: 'Inspektion', quantityMilli: 1000, unitCents: 18900, vatRate: 19 }],
  });
  await issueInvoice(h.db.db, h.deps.sealer, actor, invoiceId);
  return { customerId: customer.id, invoiceId };
}

/** A PIN row as the PIN pages store it: digits sealed with their place, state on the depot. */
async function insertPin(h: PortalHarness, depotId: number): Promise<number> {
  const inserted = await h.db.db
    .insertInto('pins')
    .values({
      depot_id: depotId,
      compartment: 1,
      kind: 'one-time',
      label: 'Kunde Weber',
      state: 'on-depot',
      created_at_ms: h.now,
    })
    .executeTakeFirstOrThrow();
  const id = Number(inserted.insertId);
  await h.db.db
    .updateTable('pins')
    .set({ digits_sealed: h.deps.sealer.seal('48291736', digitsPlace(id)) })
    .where('id', '=', id)
    .execute();
  return id;
}

/** Path parameters of a route as the matrix fills them; a name not listed here fails the matrix. */
export const PATH_PARAMETERS = [
  'depotId',
  'pinId',
  'commandId',
  'userId',
  'organisationId',
  'jobId',
  'token',
  'name',
  'customerId',
  'invoiceId',
];

export function pathParameters(route: RouteSpec): string[] {
  return [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
}

/**
 * A route's path with real ids: `depot` says whose depot, `sub` whose PIN,
 * command, user, customer and invoice (own depot with foreign sub-ids must
 * answer 404). The organisation is the sub's, except on customer and invoice
 * routes, where it is the primary one (own organisation, foreign customer).
 */
export function fillPath(world: PortalWorld, route: RouteSpec, depot: Side, sub: Side = depot): string {
  const values: Record<string, string> = {
    depotId: String(depot.depotId),
    pinId: String(sub.pinId),
    commandId: String(sub.commandId),
    userId: String(sub.userId),
    organisationId: String(/:(customerId|invoiceId)/.test(route.path) ? depot.organisationId : sub.organisationId),
    jobId: String(sub.jobId),
    customerId: String(sub.customerId),
    invoiceId: String(sub.invoiceId),
    token: world.token,
    name: 'portal.css',
  };
  return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${route.path}: the matrix cannot fill :${name}`);
    return value;
  });
}
