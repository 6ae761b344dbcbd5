import type { Kysely } from 'kysely';
import { fromRow, type Movement, type MovementFilter } from '../portal/movements.js';
import type { Schema } from '../schema.js';

/** Rows per read: small enough that one read blocks the event loop for milliseconds, large enough to be cheap. */
export const EXPORT_PAGE_ROWS = 2_000;

const COLUMNS = ['id', 'depot_id', 'kind', 'compartment', 'subject', 'depot_time_ms', 'received_at_ms'] as const;

/**
 * A depot's movements matching the list's filter, oldest first, in pages read
 * by keyset on the index (depot_id, depot_time_ms): each read starts where
 * the last one ended, so the millionth row costs what the first did, no
 * cursor or transaction is held between pages, and memory holds one page.
 * Only the depot the caller was granted (the route's guard) is ever read.
 * `upToId` leaves out what arrives while the export runs (a report counts its
 * rows first and must print exactly those).
 */
export async function* movementPages(
  db: Kysely<Schema>,
  depotId: number,
  filter: MovementFilter,
  options: { pageRows?: number; upToId?: number; kinds?: readonly number[] } = {},
): AsyncGenerator<Movement[]> {
  const pageRows = options.pageRows ?? EXPORT_PAGE_ROWS;
  let after: { timeMs: number; id: number } | null = null;
  for (;;) {
    let query = db.selectFrom('events').select(COLUMNS).where('depot_id', '=', depotId);
    if (filter.compartment !== undefined) query = query.where('compartment', '=', filter.compartment);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.fromMs !== undefined) query = query.where('depot_time_ms', '>=', filter.fromMs);
    if (filter.untilMs !== undefined) query = query.where('depot_time_ms', '<', filter.untilMs);
    if (options.kinds !== undefined) query = query.where('kind', 'in', [...options.kinds]);
    if (options.upToId !== undefined) query = query.where('id', '<=', options.upToId);
    if (after) {
      const { timeMs, id } = after;
      query = query
        .where('depot_time_ms', '>=', timeMs)
        .where((eb) => eb.or([eb('depot_time_ms', '>', timeMs), eb('id', '>', id)]));
    }
    const rows = (await query.orderBy('depot_time_ms', 'asc').orderBy('id', 'asc').limit(pageRows).execute()).map(
      fromRow,
    );
    if (rows.length > 0) yield rows;
    if (rows.length < pageRows) return;
    const last = rows[rows.length - 1] as Movement;
    after = { timeMs: last.depotTimeMs, id: last.id };
  }
}
