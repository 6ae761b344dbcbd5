import { type Kysely, sql } from 'kysely';
import { isDepotRole } from '../grants.js';
import { toFlag, toNumber, toNumberOrNull } from '../row-values.js';
import type { DepotRole, Schema } from '../schema.js';
import { type Alert, openAlerts } from './alerts.js';
import { type Movement, recentMovements } from './movements.js';

/** A compartment's last reported state. */
export interface CompartmentState {
  readonly depotId: number;
  readonly number: number;
  readonly label: string;
  readonly doorOpen: boolean;
  readonly hasKeySensor: boolean;
  readonly keyPresent: boolean;
  readonly locked: boolean;
  readonly updatedAtMs: number | null;
}

export interface DashboardDepot {
  readonly id: number;
  readonly name: string;
  readonly role: DepotRole;
  readonly online: boolean;
  readonly lastSeenMs: number | null;
  readonly timeZone: string;
  readonly compartments: CompartmentState[];
}

export interface Dashboard {
  /** How many depots the user holds a role on (the page shows `depots`, one page of them). */
  readonly depotCount: number;
  readonly onlineCount: number;
  readonly depots: DashboardDepot[];
  /** Open alerts across all of the user's depots, newest first. */
  readonly alerts: Alert[];
  readonly recent: Movement[];
  /** Name and time zone of every depot an alert or movement names. */
  readonly depotNames: ReadonlyMap<number, { name: string; timeZone: string }>;
}

/** The user's live (not revoked) depots, by name, with role and presence. */
async function userDepots(db: Kysely<Schema>, userId: number) {
  const rows = await db
    .selectFrom('depot_grants as g')
    .innerJoin('depots as d', 'd.id', 'g.depot_id')
    .select(['d.id', 'd.name', 'd.online', 'd.last_seen_ms', 'd.last_event_ms', 'd.time_zone', 'g.role'])
    .where('g.user_id', '=', userId)
    .where('d.revoked_at_ms', 'is', null)
    .orderBy('d.name')
    .orderBy('d.id')
    .execute();
  return rows
    .filter((row) => isDepotRole(row.role))
    .map((row) => ({
      id: toNumber(row.id),
      name: row.name,
      role: row.role,
      online: toFlag(row.online),
      lastSeenMs: toNumberOrNull(row.last_seen_ms),
      lastEventMs: toNumberOrNull(row.last_event_ms),
      timeZone: row.time_zone,
    }));
}

/** The compartments of these depots in depot and number order. */
export async function compartmentsOf(db: Kysely<Schema>, depotIds: readonly number[]): Promise<CompartmentState[]> {
  if (depotIds.length === 0) return [];
  const rows = await db
    .selectFrom('compartments')
    .selectAll()
    .where('depot_id', 'in', [...depotIds])
    .orderBy('depot_id')
    .orderBy('number')
    .execute();
  return rows.map((row) => ({
    depotId: toNumber(row.depot_id),
    number: toNumber(row.number),
    label: row.label,
    doorOpen: toFlag(row.door_open),
    hasKeySensor: toFlag(row.has_key_sensor),
    keyPresent: toFlag(row.key_present),
    locked: toFlag(row.locked),
    updatedAtMs: toNumberOrNull(row.updated_at_ms),
  }));
}

/**
 * Everything the start page shows for a user, scoped by their grants: one
 * page of their depots with compartments, the open alerts and the newest
 * movements across all of them.
 */
export async function loadDashboard(
  db: Kysely<Schema>,
  input: { userId: number; page: number; pageSize: number; recentLimit: number; nowMs: number },
): Promise<Dashboard> {
  const all = await userDepots(db, input.userId);
  const ids = all.map((d) => d.id);
  const shown = all.slice((input.page - 1) * input.pageSize, input.page * input.pageSize);
  const [compartments, alerts, recent] = await Promise.all([
    compartmentsOf(
      db,
      shown.map((d) => d.id),
    ),
    openAlerts(db, ids, input.nowMs),
    recentMovements(db, all, input.recentLimit),
  ]);
  const byDepot = new Map<number, CompartmentState[]>();
  for (const c of compartments) byDepot.set(c.depotId, [...(byDepot.get(c.depotId) ?? []), c]);
  return {
    depotCount: all.length,
    onlineCount: all.filter((d) => d.online).length,
    depots: shown.map(({ lastEventMs: _, ...d }) => ({ ...d, compartments: byDepot.get(d.id) ?? [] })),
    alerts,
    recent,
    depotNames: new Map(all.map((d) => [d.id, { name: d.name, timeZone: d.timeZone }])),
  };
}

/**
 * A cheap mark of everything the dashboard shows: when it is unchanged since
 * the last poll, a live connection skips recomputing its snapshot. Each part
 * is an index lookup or a scan of the small depots/compartments tables.
 */
export async function dashboardMark(db: Kysely<Schema>): Promise<string> {
  const result = await sql<Record<string, unknown>>`SELECT
    (SELECT max(id) FROM events) AS e,
    (SELECT max(last_seen_ms) FROM depots) AS s,
    (SELECT sum(online) FROM depots) AS o,
    (SELECT max(updated_at_ms) FROM compartments) AS c,
    (SELECT max(lockout_until_ms) FROM depot_status) AS l,
    (SELECT count(*) FROM depot_grants) AS g,
    (SELECT max(id) FROM relay_events) AS r`.execute(db);
  return JSON.stringify(Object.values(result.rows[0] ?? {}).map((v) => (v === null ? null : String(v))));
}

/**
 * Whether a session is still live for a long-running request (the dashboard
 * stream checks it on every poll, so a logout, a disabled user or a timed-out
 * session stops the stream within a second). It does not touch last_seen: an
 * open dashboard alone does not keep a session from its idle timeout.
 */
export async function sessionStillLive(
  db: Kysely<Schema>,
  session: { tokenHash: Uint8Array; lastSeenMs: number },
  idleMs: number,
  nowMs: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('portal_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.ended_at_ms', 's.expires_at_ms', 's.last_seen_ms', 'u.disabled_at_ms'])
    .where('s.token_hash', '=', session.tokenHash)
    .executeTakeFirst();
  if (!row || row.ended_at_ms !== null || row.disabled_at_ms !== null) return false;
  const lastSeen = Math.max(toNumber(row.last_seen_ms), session.lastSeenMs);
  return nowMs < toNumber(row.expires_at_ms) && nowMs - lastSeen < idleMs;
}
