import { EventKind } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { Schema } from '../schema.js';

export type AlertKind = 'tamper' | 'door-left-open' | 'lockout';

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
}

const RAISES: Record<number, AlertKind> = {
  [EventKind.Tamper]: 'tamper',
  [EventKind.DoorLeftOpen]: 'door-left-open',
  [EventKind.LockoutStarted]: 'lockout',
};

interface Candidate {
  depot_id: number;
  compartment: number;
  kind: number;
  last_id: number;
  cleared_id: number | null;
  depot_time_ms: number;
  received_at_ms: number;
  door_open: number | null;
  state_at_ms: number | null;
  lockout_until_ms: number | null;
  status_at_ms: number | null;
}

/**
 * The open alerts of these depots. An alert is the newest tamper, door-left-open
 * or lockout-started event of its compartment (depot), and it is over when
 * - a later event ends it (DOOR_CLOSED for the door alerts, LOCKOUT_ENDED), or
 * - a newer state says so: the compartment reported closed after the alert
 *   arrived, or a STATUS after it reports no lockout;
 * a lockout the STATUS reports without its event (still in the depot's outbox)
 * is an alert too. Every "newest event of a kind" is one seek on the index
 * (depot_id, kind, compartment, id) of migration 005; alert kinds are rare, so
 * the candidate scan reads few rows even over a million events.
 */
export async function openAlerts(db: Kysely<Schema>, depotIds: readonly number[], nowMs: number): Promise<Alert[]> {
  if (depotIds.length === 0) return [];
  const ids = sql.join(depotIds.map((id) => sql`${id}`));
  const raising = sql.join(Object.keys(RAISES).map((k) => sql`${Number(k)}`));
  const result = await sql<Candidate>`
    SELECT a.depot_id, a.compartment, a.kind, a.last_id,
      (SELECT max(x.id) FROM events x
        WHERE x.depot_id = a.depot_id
          AND x.kind = (CASE WHEN a.kind = ${EventKind.LockoutStarted} THEN ${EventKind.LockoutEnded} ELSE ${EventKind.DoorClosed} END)
          AND x.compartment = a.compartment) AS cleared_id,
      e.depot_time_ms, e.received_at_ms,
      c.door_open, c.updated_at_ms AS state_at_ms,
      s.lockout_until_ms, s.received_at_ms AS status_at_ms
    FROM (SELECT depot_id, kind, compartment, max(id) AS last_id FROM events
          WHERE depot_id IN (${ids}) AND kind IN (${raising})
          GROUP BY depot_id, kind, compartment) a
    JOIN events e ON e.id = a.last_id
    LEFT JOIN compartments c ON c.depot_id = a.depot_id AND c.number = a.compartment
    LEFT JOIN depot_status s ON s.depot_id = a.depot_id`.execute(db);
  const alerts: Alert[] = [];
  const lockoutEvents = new Set<number>();
  for (const row of result.rows) {
    const kind = RAISES[toNumber(row.kind)] as AlertKind;
    const depotId = toNumber(row.depot_id);
    const lastId = toNumber(row.last_id);
    const receivedAtMs = toNumber(row.received_at_ms);
    const clearedId = toNumberOrNull(row.cleared_id);
    if (clearedId !== null && clearedId > lastId) continue;
    if (kind === 'lockout') {
      lockoutEvents.add(depotId);
      const statusAt = toNumberOrNull(row.status_at_ms);
      if (statusAt !== null && statusAt > receivedAtMs && toNumber(row.lockout_until_ms ?? 0) <= nowMs) continue;
    } else {
      const stateAt = toNumberOrNull(row.state_at_ms);
      if (stateAt !== null && stateAt > receivedAtMs && toNumber(row.door_open ?? 0) === 0) continue;
    }
    alerts.push({
      depotId,
      compartment: toNumber(row.compartment),
      kind,
      eventId: lastId,
      sinceMs: toNumber(row.depot_time_ms),
      receivedAtMs,
    });
  }
  alerts.push(...(await lockoutsFromStatus(db, depotIds, nowMs, lockoutEvents)));
  return alerts.sort((a, b) => b.receivedAtMs - a.receivedAtMs || a.depotId - b.depotId);
}

/** Lockouts the STATUS reports whose LOCKOUT_STARTED has not arrived (or was ended and started again unseen). */
async function lockoutsFromStatus(
  db: Kysely<Schema>,
  depotIds: readonly number[],
  nowMs: number,
  known: ReadonlySet<number>,
): Promise<Alert[]> {
  const rows = await sql<{ depot_id: number; lockout_until_ms: number; received_at_ms: number }>`
    SELECT depot_id, lockout_until_ms, received_at_ms FROM depot_status
    WHERE depot_id IN (${sql.join(depotIds.map((id) => sql`${id}`))}) AND lockout_until_ms > ${nowMs}`.execute(db);
  return rows.rows
    .filter((row) => !known.has(toNumber(row.depot_id)))
    .map((row) => ({
      depotId: toNumber(row.depot_id),
      compartment: 0,
      kind: 'lockout' as const,
      eventId: null,
      sinceMs: toNumber(row.received_at_ms),
      receivedAtMs: toNumber(row.received_at_ms),
    }));
}
