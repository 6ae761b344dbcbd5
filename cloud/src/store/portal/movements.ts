import type { Kysely } from 'kysely';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { inChunks } from './id-chunks.js';

/** One event a depot reported, as the portal lists it. */
export interface Movement {
  readonly id: number;
  readonly depotId: number;
  readonly kind: number;
  /** 1-based, 0 for the depot as a whole. */
  readonly compartment: number;
  readonly subject: string;
  /** Depot clock; 0 when the depot's clock was unknown (the portal then shows the arrival time). */
  readonly depotTimeMs: number;
  readonly receivedAtMs: number;
}

export interface MovementFilter {
  readonly compartment?: number;
  readonly kind?: number;
  /** Depot time, inclusive lower and exclusive upper bound (ms). */
  readonly fromMs?: number;
  readonly untilMs?: number;
}

/** A position in the list (newest first by depot time, then id): the row a page ends or starts at. */
export interface MovementCursor {
  readonly timeMs: number;
  readonly id: number;
}

export interface MovementPage {
  readonly rows: Movement[];
  /** Cursors for the links; null where there is nothing more that way. */
  readonly older: MovementCursor | null;
  readonly newer: MovementCursor | null;
}

const COLUMNS = ['id', 'depot_id', 'kind', 'compartment', 'subject', 'depot_time_ms', 'received_at_ms'] as const;

/**
 * One page of a depot's movements, newest first. Keyset paging on the index
 * (depot_id, depot_time_ms): a deep page costs what the first one does, where
 * OFFSET would read every row before it. `before` pages towards older rows,
 * `after` towards newer ones (read ascending, then turned round).
 */
export async function listMovements(
  db: Kysely<Schema>,
  depotId: number,
  filter: MovementFilter,
  page: { before?: MovementCursor; after?: MovementCursor; limit: number },
): Promise<MovementPage> {
  const ascending = page.after !== undefined && page.before === undefined;
  let query = db.selectFrom('events').select(COLUMNS).where('depot_id', '=', depotId);
  if (filter.compartment !== undefined) query = query.where('compartment', '=', filter.compartment);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.fromMs !== undefined) query = query.where('depot_time_ms', '>=', filter.fromMs);
  if (filter.untilMs !== undefined) query = query.where('depot_time_ms', '<', filter.untilMs);
  // The first condition alone is an index range; the second only trims the boundary time.
  if (ascending && page.after) {
    const { timeMs, id } = page.after;
    query = query
      .where('depot_time_ms', '>=', timeMs)
      .where((eb) => eb.or([eb('depot_time_ms', '>', timeMs), eb('id', '>', id)]));
  } else if (page.before) {
    const { timeMs, id } = page.before;
    query = query
      .where('depot_time_ms', '<=', timeMs)
      .where((eb) => eb.or([eb('depot_time_ms', '<', timeMs), eb('id', '<', id)]));
  }
  const direction = ascending ? 'asc' : 'desc';
  const fetched = (
    await query
      .orderBy('depot_time_ms', direction)
      .orderBy('id', direction)
      .limit(page.limit + 1)
      .execute()
  ).map(fromRow);
  const more = fetched.length > page.limit;
  const rows = fetched.slice(0, page.limit);
  if (ascending) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const cursor = (m: Movement | undefined) => (m ? { timeMs: m.depotTimeMs, id: m.id } : null);
  return {
    rows,
    older: (ascending ? true : more) ? cursor(last) : null,
    newer: (ascending ? more : page.before !== undefined) ? cursor(first) : null,
  };
}

/**
 * The newest movements to arrive across several depots (a user's dashboard),
 * newest arrival first. The depots come with their newest arrival (the depot
 * row's last_event_ms); the `limit`-th newest of those is a time at or before
 * which every wanted row lies, so the query reads only the rows after it, of
 * only the depots that have any.
 */
export async function recentMovements(
  db: Kysely<Schema>,
  depots: ReadonlyArray<{ readonly id: number; readonly lastEventMs: number | null }>,
  limit: number,
): Promise<Movement[]> {
  if (depots.length === 0 || limit <= 0) return [];
  // Each depot's newest arrival is on its row (migration 008): the `limit`-th newest of them bounds
  // the list from below, and only depots with an arrival since then can hold one of its rows.
  const newest = depots
    .map((d) => d.lastEventMs)
    .filter((t): t is number => t !== null)
    .sort((a, b) => b - a);
  if (newest.length === 0) return [];
  const since = newest[Math.min(limit, newest.length) - 1] as number;
  const candidates = depots.filter((d) => d.lastEventMs !== null && d.lastEventMs >= since).map((d) => d.id);
  const rows = (
    await inChunks(candidates, (chunk) =>
      db
        .selectFrom('events')
        .select(COLUMNS)
        .where('depot_id', 'in', chunk)
        .where('received_at_ms', '>=', since)
        .orderBy('received_at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    )
  )
    .map(fromRow)
    .sort((a, b) => b.receivedAtMs - a.receivedAtMs || b.id - a.id)
    .slice(0, limit);
  return rows;
}

export function fromRow(row: {
  id: number | bigint | string;
  depot_id: number | bigint | string;
  kind: number | bigint | string;
  compartment: number | bigint | string;
  subject: string;
  depot_time_ms: number | bigint | string;
  received_at_ms: number | bigint | string;
}): Movement {
  return {
    id: toNumber(row.id),
    depotId: toNumber(row.depot_id),
    kind: toNumber(row.kind),
    compartment: toNumber(row.compartment),
    subject: row.subject,
    depotTimeMs: toNumber(row.depot_time_ms),
    receivedAtMs: toNumber(row.received_at_ms),
  };
}
