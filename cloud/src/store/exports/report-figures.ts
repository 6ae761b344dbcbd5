import { EventKind } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';

/** Event kinds that raise an alert (store/portal/alerts.ts): what a report lists as alerts. */
export const ALERT_EVENT_KINDS: readonly number[] = [
  EventKind.Tamper,
  EventKind.DoorLeftOpen,
  EventKind.LockoutStarted,
];

/** How many alert rows a report lists at most; the summary still counts them all. */
export const REPORT_ALERT_ROWS = 500;

/** Counts of one depot's events in [fromMs, untilMs) of depot time, by kind: a handful of rows whatever the volume. */
export async function countsByKind(
  db: Kysely<Schema>,
  depotId: number,
  fromMs: number,
  untilMs: number,
  upToId: number,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('events')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('depot_id', '=', depotId)
    .where('id', '<=', upToId)
    .where('depot_time_ms', '>=', fromMs)
    .where('depot_time_ms', '<', untilMs)
    .groupBy('kind')
    .execute();
  return new Map(rows.map((r) => [toNumber(r.kind), toNumber(r.n)]));
}

/**
 * Withdrawals per compartment, counted like the depot page's chart: a key
 * taken where the compartment senses keys, an accepted PIN where it does not.
 */
export async function withdrawalsByCompartment(
  db: Kysely<Schema>,
  depotId: number,
  fromMs: number,
  untilMs: number,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('events as e')
    .innerJoin('compartments as c', (join) =>
      join.onRef('c.depot_id', '=', 'e.depot_id').onRef('c.number', '=', 'e.compartment'),
    )
    .select(['e.compartment', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.depot_id', '=', depotId)
    .where('e.depot_time_ms', '>=', fromMs)
    .where('e.depot_time_ms', '<', untilMs)
    .where((eb) =>
      eb.or([
        eb.and([eb('e.kind', '=', EventKind.KeyRemoved), eb('c.has_key_sensor', '=', 1)]),
        eb.and([eb('e.kind', '=', EventKind.PinAccepted), eb('c.has_key_sensor', '=', 0)]),
      ]),
    )
    .groupBy('e.compartment')
    .execute();
  return new Map(rows.map((r) => [toNumber(r.compartment), toNumber(r.n)]));
}

/** The alert-raising events of the period, oldest first, at most REPORT_ALERT_ROWS. */
export async function alertEvents(db: Kysely<Schema>, depotId: number, fromMs: number, untilMs: number) {
  const rows = await db
    .selectFrom('events')
    .select(['id', 'kind', 'compartment', 'depot_time_ms', 'received_at_ms'])
    .where('depot_id', '=', depotId)
    .where('kind', 'in', [...ALERT_EVENT_KINDS])
    .where('depot_time_ms', '>=', fromMs)
    .where('depot_time_ms', '<', untilMs)
    .orderBy('depot_time_ms')
    .orderBy('id')
    .limit(REPORT_ALERT_ROWS)
    .execute();
  return rows.map((r) => ({
    id: toNumber(r.id),
    kind: toNumber(r.kind),
    compartment: toNumber(r.compartment),
    depotTimeMs: toNumber(r.depot_time_ms),
    receivedAtMs: toNumber(r.received_at_ms),
  }));
}

/** The depot's newest event id now: a report reads only rows up to it, so its counts and its table agree. */
export async function newestEventId(db: Kysely<Schema>, depotId: number): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('depot_id', '=', depotId)
    .executeTakeFirst();
  return row?.id === null || row?.id === undefined ? 0 : toNumber(row.id);
}

/** The organisation's name for a report's cover. */
export async function organisationName(db: Kysely<Schema>, organisationId: number): Promise<string> {
  const row = await db.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirst();
  return row?.name ?? '';
}
