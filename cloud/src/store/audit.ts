import { type Kysely, type Selectable, sql } from 'kysely';
import { insertedId, toNumber, toNumberOrNull } from './row-values.js';
import type { AuditLogTable, Schema } from './schema.js';

/** Who made a change: a portal user, the relay, or a technician at the command line. */
export type AuditActor = 'user' | 'relay' | 'cli';

/** One change: who, when, what, and the state before and after (docs/design.md, Audit: nothing changes unrecorded). */
export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly actor: AuditActor;
  readonly actorUserId: number | null;
  /** Dotted verb: 'depot.create', 'depot.revoke', 'user.create', … */
  readonly action: string;
  readonly organisationId: number | null;
  readonly depotId: number | null;
  /** What the change is about, in words (a username, a depot name). */
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The client address of a portal request, if any. */
  readonly address: string | null;
}

export type NewAuditEntry = Omit<
  AuditEntry,
  'id' | 'actorUserId' | 'organisationId' | 'depotId' | 'subject' | 'before' | 'after' | 'address'
> &
  Partial<Pick<AuditEntry, 'actorUserId' | 'organisationId' | 'depotId' | 'subject' | 'before' | 'after' | 'address'>>;

/**
 * Appends an audit entry. Call it in the same transaction as the change, so a
 * change is never stored without its entry. Before/after are stored as JSON:
 * never put secrets in them.
 */
export async function appendAudit(db: Kysely<Schema>, entry: NewAuditEntry): Promise<number> {
  if (entry.actor === 'user' && entry.actorUserId == null) throw new RangeError('a user audit entry names the user');
  const result = await db
    .insertInto('audit_log')
    .values({
      at_ms: entry.atMs,
      actor: entry.actor,
      actor_user_id: entry.actorUserId ?? null,
      action: entry.action,
      organisation_id: entry.organisationId ?? null,
      depot_id: entry.depotId ?? null,
      subject: (entry.subject ?? '').slice(0, 255),
      before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
      after_json: entry.after === undefined ? null : JSON.stringify(entry.after),
      address: entry.address ?? null,
    })
    .executeTakeFirstOrThrow();
  return insertedId(result);
}

export interface AuditFilter {
  readonly depotId?: number;
  readonly organisationId?: number;
  readonly actor?: AuditActor;
  readonly actorUserId?: number;
  /** Exact action, or a prefix ending in '.' ('depot.' for every depot change). */
  readonly action?: string;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** At most this many, newest first (default 100). */
  readonly limit?: number;
}

/** Audit entries matching every given filter, newest first. */
export async function listAudit(db: Kysely<Schema>, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (filter.depotId !== undefined) query = query.where('depot_id', '=', filter.depotId);
  if (filter.organisationId !== undefined) query = query.where('organisation_id', '=', filter.organisationId);
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.action !== undefined) {
    // substr, not LIKE: LIKE differs between the engines in case and in escaping.
    const action = filter.action;
    query = action.endsWith('.')
      ? query.where(sql<string>`substr(action, 1, ${action.length})`, '=', action)
      : query.where('action', '=', action);
  }
  if (filter.sinceMs !== undefined) query = query.where('at_ms', '>=', filter.sinceMs);
  if (filter.untilMs !== undefined) query = query.where('at_ms', '<', filter.untilMs);
  const rows = await query
    .orderBy('at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(fromRow);
}

function fromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: toNumber(row.id),
    atMs: toNumber(row.at_ms),
    actor: row.actor,
    actorUserId: toNumberOrNull(row.actor_user_id),
    action: row.action,
    organisationId: toNumberOrNull(row.organisation_id),
    depotId: toNumberOrNull(row.depot_id),
    subject: row.subject,
    before: row.before_json === null ? undefined : JSON.parse(row.before_json),
    after: row.after_json === null ? undefined : JSON.parse(row.after_json),
    address: row.address,
  };
}
