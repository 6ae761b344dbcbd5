import { EventKind } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { DEPOT_HEALTH } from '../relay/status.js';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';
import { inChunks } from './id-chunks.js';

export type AlertKind = 'tamper' | 'door-left-open' | 'lockout' | 'protocol-violation' | 'disk-full' | 'keypad-dead';

/** What a depot sent that broke the protocol (relay/uplink-rules.ts): the reason, what it sent, its limit. */
export interface ViolationDetail {
  readonly reason: string;
  readonly value: number;
  readonly limit: number;
}

/** Something at a depot that needs a look, open until the depot reports it over. */
export interface Alert {
  readonly depotId: number;
  /** 0 for the depot as a whole (a keypad lockout). */
  readonly compartment: number;
  readonly kind: AlertKind;
  /** The event that raised it; null for a lockout known only from the depot's STATUS. */
  readonly eventId: number | null;
  /** Depot time of the raising event (0 when its clock was unknown), or when the STATUS came. */
  readonly sinceMs: number;
  readonly receivedAtMs: number;
  /** For a protocol violation: what the depot sent. */
  readonly violation?: ViolationDetail;
}

const RAISES: Record<number, AlertKind> = {
  [EventKind.Tamper]: 'tamper',
  [EventKind.DoorLeftOpen]: 'door-left-open',
  [EventKind.LockoutStarted]: 'lockout',
};

/**
 * How far back an alert event is looked for. A door alert ends with the door
 * closing, a lockout within an hour (docs/design.md, Brute-force lockout); one still open after a week
 * means the depot has not reported since, and the compartment's state and the
 * depot's offline badge say so. The bound keeps the work proportional to
 * recent alerts, not to the whole history.
 */
export const ALERT_HORIZON_MS = 7 * 86_400_000;

/**
 * A protocol violation is an alert for this long after the relay last
 * recorded it. Nothing reports it over; a depot still sending it is recorded
 * again every 10 minutes (relay/uplink-screen.ts), so the alert stays open
 * while it lasts and closes a day after it stopped.
 */
export const VIOLATION_ALERT_MS = 86_400_000;

interface Raised {
  id: number;
  depot_id: number;
  kind: number;
  compartment: number;
  depot_time_ms: number;
  received_at_ms: number;
}

interface Ended {
  depot_id: number;
  compartment: number;
  kind: number;
  last_id: number;
}

interface States {
  /** Compartment "depot:number" → door open and when the state last changed. */
  readonly doors: Map<string, { open: boolean; atMs: number | null }>;
  /** Depot → lockout end and when the STATUS came. */
  readonly lockouts: Map<number, { untilMs: number; atMs: number }>;
}

/**
 * The open alerts of these depots. An alert is the newest tamper, door-left-open
 * or lockout-started event of its compartment (depot), and it is over when
 * - a later event ends it (DOOR_CLOSED for the door alerts, LOCKOUT_ENDED), or
 * - a newer state says so: the compartment reported closed after the alert
 *   arrived, or a STATUS after it reports no lockout;
 * a lockout the STATUS reports without its event (still in the depot's outbox)
 * is an alert too. Both the alert events and the ending events are short
 * range reads of the index of migration 005, bounded by ALERT_HORIZON_MS.
 */
export async function openAlerts(db: Kysely<Schema>, depotIds: readonly number[], nowMs: number): Promise<Alert[]> {
  if (depotIds.length === 0) return [];
  const wanted = new Set(depotIds);
  const raised = await sql<Raised>`
    SELECT id, depot_id, kind, compartment, depot_time_ms, received_at_ms FROM events
    WHERE kind IN (${sql.join(Object.keys(RAISES).map(Number))}) AND received_at_ms >= ${nowMs - ALERT_HORIZON_MS}`.execute(
    db,
  );
  // The newest alert per depot, kind and compartment among the user's depots.
  const newest = new Map<string, Raised>();
  for (const row of raised.rows) {
    const depotId = toNumber(row.depot_id);
    if (!wanted.has(depotId)) continue;
    const key = `${depotId}:${toNumber(row.kind)}:${toNumber(row.compartment)}`;
    const seen = newest.get(key);
    if (!seen || toNumber(seen.id) < toNumber(row.id)) newest.set(key, row);
  }
  const candidates = [...newest.values()];
  const lockoutEvents = new Set<number>();
  for (const row of candidates)
    if (toNumber(row.kind) === EventKind.LockoutStarted) lockoutEvents.add(toNumber(row.depot_id));
  // The stored states end most alerts (a check-in a minute after the door closed says so): one read
  // of the candidates' compartments and STATUS rows. Only the rest need their ending events, a range
  // read whose size grows with every door closing since the oldest of them.
  const states = candidates.length === 0 ? null : await stateOf(db, candidates);
  const stillOpen = candidates.filter(
    (row) =>
      !states ||
      !clearedByState(
        RAISES[toNumber(row.kind)] as AlertKind,
        toNumber(row.depot_id),
        toNumber(row.compartment),
        toNumber(row.received_at_ms),
        states,
        nowMs,
      ),
  );
  const ended = stillOpen.length === 0 ? new Map<string, number>() : await endingEvents(db, stillOpen);
  const alerts: Alert[] = [];
  for (const row of stillOpen) {
    const kind = RAISES[toNumber(row.kind)] as AlertKind;
    const depotId = toNumber(row.depot_id);
    const compartment = toNumber(row.compartment);
    const key = `${depotId}:${compartment}:${kind === 'lockout' ? 'lockout' : 'door'}`;
    if ((ended.get(key) ?? 0) > toNumber(row.id)) continue;
    alerts.push({
      depotId,
      compartment,
      kind,
      eventId: toNumber(row.id),
      sinceMs: toNumber(row.depot_time_ms),
      receivedAtMs: toNumber(row.received_at_ms),
    });
  }
  alerts.push(...(await lockoutsFromStatus(db, depotIds, nowMs, lockoutEvents)));
  alerts.push(...(await protocolViolations(db, depotIds, nowMs)));
  alerts.push(...(await healthFromStatus(db, depotIds)));
  return alerts.sort((a, b) => b.receivedAtMs - a.receivedAtMs || a.depotId - b.depotId);
}

/** A newer state says it is over: the door reported closed, or no lockout, after the alert arrived. */
function clearedByState(
  kind: AlertKind,
  depotId: number,
  compartment: number,
  receivedAtMs: number,
  states: States,
  nowMs: number,
): boolean {
  if (kind === 'lockout') {
    const status = states.lockouts.get(depotId);
    return status !== undefined && status.atMs > receivedAtMs && status.untilMs <= nowMs;
  }
  const door = states.doors.get(`${depotId}:${compartment}`);
  return door !== undefined && door.atMs !== null && door.atMs > receivedAtMs && !door.open;
}

/**
 * The newest DOOR_CLOSED per compartment and LOCKOUT_ENDED per depot since the
 * oldest candidate arrived, for the candidates' depots: one range read of the
 * index (kind, received_at_ms, depot_id, compartment), grouped by the database.
 */
async function endingEvents(db: Kysely<Schema>, candidates: readonly Raised[]): Promise<Map<string, number>> {
  const since = Math.min(...candidates.map((c) => toNumber(c.received_at_ms)));
  const depots = [...new Set(candidates.map((c) => toNumber(c.depot_id)))];
  const rows = await inChunks(
    depots,
    async (chunk) =>
      (
        await sql<Ended>`
    SELECT depot_id, compartment, kind, max(id) AS last_id FROM events
    WHERE kind IN (${EventKind.DoorClosed}, ${EventKind.LockoutEnded}) AND received_at_ms >= ${since}
      AND depot_id IN (${sql.join(chunk)})
    GROUP BY depot_id, compartment, kind`.execute(db)
      ).rows,
  );
  const ended = new Map<string, number>();
  for (const row of rows) {
    const what = toNumber(row.kind) === EventKind.LockoutEnded ? 'lockout' : 'door';
    ended.set(`${toNumber(row.depot_id)}:${toNumber(row.compartment)}:${what}`, toNumber(row.last_id));
  }
  return ended;
}

/** The stored compartment states and STATUS lockouts of the candidates' depots. */
async function stateOf(db: Kysely<Schema>, candidates: readonly Raised[]): Promise<States> {
  const depots = [...new Set(candidates.map((c) => toNumber(c.depot_id)))];
  const [doors, statuses] = await Promise.all([
    inChunks(depots, (chunk) =>
      db
        .selectFrom('compartments')
        .select(['depot_id', 'number', 'door_open', 'updated_at_ms'])
        .where('depot_id', 'in', chunk)
        .execute(),
    ),
    inChunks(
      depots,
      async (chunk) =>
        (
          await sql<{ depot_id: number; lockout_until_ms: number; received_at_ms: number }>`
      SELECT depot_id, lockout_until_ms, received_at_ms FROM depot_status WHERE depot_id IN (${sql.join(chunk)})`.execute(
            db,
          )
        ).rows,
    ),
  ]);
  return {
    doors: new Map(
      doors.map((d) => [
        `${toNumber(d.depot_id)}:${toNumber(d.number)}`,
        { open: toNumber(d.door_open) !== 0, atMs: toNumberOrNull(d.updated_at_ms) },
      ]),
    ),
    lockouts: new Map(
      statuses.map((s) => [
        toNumber(s.depot_id),
        { untilMs: toNumber(s.lockout_until_ms), atMs: toNumber(s.received_at_ms) },
      ]),
    ),
  };
}

/** Lockouts the STATUS reports whose LOCKOUT_STARTED has not arrived (or was ended and started again unseen). */
async function lockoutsFromStatus(
  db: Kysely<Schema>,
  depotIds: readonly number[],
  nowMs: number,
  known: ReadonlySet<number>,
): Promise<Alert[]> {
  const rows = await sql<{ depot_id: number; lockout_until_ms: number; received_at_ms: number }>`
    SELECT depot_id, lockout_until_ms, received_at_ms FROM depot_status WHERE lockout_until_ms > ${nowMs}`.execute(db);
  const wanted = new Set(depotIds);
  return rows.rows
    .filter((row) => wanted.has(toNumber(row.depot_id)) && !known.has(toNumber(row.depot_id)))
    .map((row) => ({
      depotId: toNumber(row.depot_id),
      compartment: 0,
      kind: 'lockout' as const,
      eventId: null,
      sinceMs: toNumber(row.received_at_ms),
      receivedAtMs: toNumber(row.received_at_ms),
    }));
}

/** The newest recorded protocol violation per depot and reason within VIOLATION_ALERT_MS (relay_events). */
async function protocolViolations(db: Kysely<Schema>, depotIds: readonly number[], nowMs: number): Promise<Alert[]> {
  const rows = await inChunks(
    depotIds,
    async (chunk) =>
      (
        await sql<{ id: number; depot_id: number; at_ms: number; detail: string }>`
    SELECT id, depot_id, at_ms, detail FROM relay_events
    WHERE depot_id IN (${sql.join(chunk)}) AND at_ms >= ${nowMs - VIOLATION_ALERT_MS} AND kind = 'protocol-violation'`.execute(
          db,
        )
      ).rows,
  );
  const newest = new Map<string, { id: number; alert: Alert }>();
  for (const row of rows) {
    const violation = parseViolation(row.detail);
    if (!violation) continue;
    const depotId = toNumber(row.depot_id);
    const key = `${depotId}:${violation.reason}`;
    const id = toNumber(row.id);
    if ((newest.get(key)?.id ?? 0) > id) continue;
    const atMs = toNumber(row.at_ms);
    newest.set(key, {
      id,
      alert: {
        depotId,
        compartment: 0,
        kind: 'protocol-violation',
        eventId: null,
        sinceMs: atMs,
        receivedAtMs: atMs,
        violation,
      },
    });
  }
  return [...newest.values()].map((n) => n.alert);
}

function parseViolation(detail: string): ViolationDetail | undefined {
  try {
    const v = JSON.parse(detail) as Partial<ViolationDetail>;
    if (typeof v.reason !== 'string' || typeof v.value !== 'number' || typeof v.limit !== 'number') return undefined;
    return { reason: v.reason, value: v.value, limit: v.limit };
  } catch {
    return undefined;
  }
}

const HEALTH_ALERTS: readonly [number, AlertKind][] = [
  [DEPOT_HEALTH.diskFull, 'disk-full'],
  [DEPOT_HEALTH.keypadDead, 'keypad-dead'],
];

/**
 * A full disk or a dead keypad, as the depot's newest STATUS says (health
 * flags, protocol §8.6): open while the flag is set, over with the first
 * STATUS without it. A depot that stopped reporting keeps its last word,
 * and its offline badge says why nothing newer came.
 */
async function healthFromStatus(db: Kysely<Schema>, depotIds: readonly number[]): Promise<Alert[]> {
  const rows = await inChunks(
    depotIds,
    async (chunk) =>
      (
        await sql<{ depot_id: number; health: number; received_at_ms: number }>`
    SELECT depot_id, health, received_at_ms FROM depot_status
    WHERE depot_id IN (${sql.join(chunk)}) AND health <> 0`.execute(db)
      ).rows,
  );
  return rows.flatMap((row) =>
    HEALTH_ALERTS.filter(([bit]) => (toNumber(row.health) & bit) !== 0).map(([, kind]) => ({
      depotId: toNumber(row.depot_id),
      compartment: 0,
      kind,
      eventId: null,
      sinceMs: toNumber(row.received_at_ms),
      receivedAtMs: toNumber(row.received_at_ms),
    })),
  );
}
