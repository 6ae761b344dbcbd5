import { type Kysely, sql } from 'kysely';
import type { AuditActor } from '../audit.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

/**
 * Which entries a user may read: those of the depots they own or manage
 * (viewers read movements, not who changed what), and for service operators
 * also the entries without a depot (organisations, accounts, logins).
 */
export interface AuditScope {
  readonly depots: ReadonlyArray<{ id: number; name: string }>;
  readonly withoutDepot: boolean;
}

export async function auditScopeOf(db: Kysely<Schema>, user: { id: number; isOperator: boolean }): Promise<AuditScope> {
  const rows = await db
    .selectFrom('depot_grants as g')
    .innerJoin('depots as d', 'd.id', 'g.depot_id')
    .select(['d.id', 'd.name'])
    .where('g.user_id', '=', user.id)
    .where('g.role', 'in', ['owner', 'manager'])
    .orderBy('d.name')
    .execute();
  return { depots: rows.map((r) => ({ id: toNumber(r.id), name: r.name })), withoutDepot: user.isOperator };
}

/** No scope: the operator at the command line (`audit list`) reads every entry. */
export const WHOLE_LOG = 'whole-log';

/** The filters of the page, already checked (audit-routes.tsx reads them from the query string). */
export interface AuditQuery {
  /** One depot of the scope, 'none' for entries without a depot, or every depot of the scope. */
  readonly depot?: number | 'none';
  /** Entries of one organisation: its own, and those of its depots. */
  readonly organisationId?: number;
  /** An action ('pin.create') or a prefix of whole words ('pin' matches pin.create, pin.revoke). */
  readonly action?: string;
  /**
   * The relay, the command line, or one user: by id (null: a user name that
   * does not exist), or by name, matched in the page's own query so that a
   * name of another organisation costs what a name nobody has does.
   */
  readonly actor?:
    | { readonly kind: Exclude<AuditActor, 'user'> }
    | { readonly userId: number | null }
    | { readonly username: string };
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Only entries older than this one (newest first by time, then id): how an export pages by keyset. */
  readonly before?: { readonly atMs: number; readonly id: number };
  readonly page: number;
  readonly pageSize: number;
}

export interface AuditRow {
  readonly id: number;
  readonly atMs: number;
  readonly actor: AuditActor;
  readonly actorUsername: string | null;
  readonly action: string;
  readonly organisationId: number | null;
  readonly depotId: number | null;
  readonly depotName: string | null;
  readonly timeZone: string | null;
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly address: string | null;
}

/** One page of entries in the scope (or the whole log) matching the query, newest first; `more` when a next page exists. */
export async function auditPage(
  db: Kysely<Schema>,
  scope: AuditScope | typeof WHOLE_LOG,
  query: AuditQuery,
): Promise<{ rows: AuditRow[]; more: boolean }> {
  if (query.actor && 'userId' in query.actor && query.actor.userId === null) return { rows: [], more: false };
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('depots as d', 'd.id', 'a.depot_id')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .select([
      'a.id',
      'a.at_ms',
      'a.actor',
      'a.action',
      'a.organisation_id',
      'a.depot_id',
      'a.subject',
      'a.before_json',
      'a.after_json',
      'a.address',
      'd.name as depot_name',
      'd.time_zone',
      'u.username',
    ]);
  if (scope !== WHOLE_LOG) {
    const depotIds = scope.depots.map((d) => d.id);
    const wanted = typeof query.depot === 'number' ? depotIds.filter((id) => id === query.depot) : depotIds;
    const withDepots = query.depot !== 'none' && wanted.length > 0;
    const withoutDepot = scope.withoutDepot && (query.depot === undefined || query.depot === 'none');
    if (!withDepots && !withoutDepot) return { rows: [], more: false };
    q = q.where((eb) => {
      const parts = [];
      if (withDepots) parts.push(eb('a.depot_id', 'in', wanted));
      if (withoutDepot) parts.push(eb('a.depot_id', 'is', null));
      return eb.or(parts);
    });
  } else if (query.depot === 'none') q = q.where('a.depot_id', 'is', null);
  else if (query.depot !== undefined) q = q.where('a.depot_id', '=', query.depot);
  if (query.organisationId !== undefined) {
    const organisationId = query.organisationId;
    q = q.where((eb) =>
      eb.or([
        eb('a.organisation_id', '=', organisationId),
        eb(
          'a.depot_id',
          'in',
          eb.selectFrom('depots').select('depots.id').where('depots.organisation_id', '=', organisationId),
        ),
      ]),
    );
  }
  if (query.action !== undefined) {
    const action = query.action;
    // substr, not LIKE: the value is a plain string on both engines, no wildcard or escape rules.
    q = q.where((eb) =>
      eb.or([
        eb('a.action', '=', action),
        eb(sql<string>`substr(a.action, 1, ${action.length + 1})`, '=', `${action}.`),
      ]),
    );
  }
  const actor = query.actor;
  if (actor && 'kind' in actor) q = q.where('a.actor', '=', actor.kind);
  if (actor && 'userId' in actor && actor.userId !== null) {
    q = q.where('a.actor', '=', 'user').where('a.actor_user_id', '=', actor.userId);
  }
  if (actor && 'username' in actor) q = q.where('a.actor', '=', 'user').where('u.username', '=', actor.username);
  if (query.sinceMs !== undefined) q = q.where('a.at_ms', '>=', query.sinceMs);
  if (query.untilMs !== undefined) q = q.where('a.at_ms', '<', query.untilMs);
  if (query.before !== undefined) {
    const { atMs, id } = query.before;
    q = q.where('a.at_ms', '<=', atMs).where((eb) => eb.or([eb('a.at_ms', '<', atMs), eb('a.id', '<', id)]));
  }
  const rows = await q
    .orderBy('a.at_ms', 'desc')
    .orderBy('a.id', 'desc')
    .limit(query.pageSize + 1)
    .offset((query.page - 1) * query.pageSize)
    .execute();
  return {
    more: rows.length > query.pageSize,
    rows: rows.slice(0, query.pageSize).map((r) => ({
      id: toNumber(r.id),
      atMs: toNumber(r.at_ms),
      actor: r.actor,
      actorUsername: r.username,
      action: r.action,
      organisationId: toNumberOrNull(r.organisation_id),
      depotId: toNumberOrNull(r.depot_id),
      depotName: r.depot_name,
      timeZone: r.time_zone,
      subject: r.subject,
      before: parseJson(r.before_json),
      after: parseJson(r.after_json),
      address: r.address,
    })),
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
