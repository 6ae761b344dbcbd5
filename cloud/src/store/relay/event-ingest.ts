import { type EventFrame, fromHex, toHex } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { bytes, num, type RelaySchema } from './relay-schema.js';

/** Rows per INSERT: 9 columns × 200 stays far below both engines' parameter limits. */
const INSERT_CHUNK = 200;
/** How far past the stored head one ack scan looks (a gap bigger than this acks in steps). */
export const SCAN_WINDOW = 5_000;

export interface DepotEvent {
  readonly depotId: number;
  readonly frame: EventFrame;
}

const key = (depotId: number, epoch: string) => `${depotId}:${epoch}`;

/**
 * Inserts events idempotently (unique depot + epoch + sequence) and returns
 * how many rows were new. A duplicate from a retransmission is ignored.
 */
export async function insertEvents(
  trx: Kysely<RelaySchema>,
  dialect: Dialect,
  events: readonly DepotEvent[],
  nowMs: number,
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const rows = events.slice(i, i + INSERT_CHUNK).map(({ depotId, frame }) => ({
      depot_id: depotId,
      journal_epoch: fromHex(frame.epoch),
      sequence: frame.sequence,
      kind: frame.event,
      compartment: frame.compartment,
      subject: frame.subject,
      depot_time_ms: frame.timeMs,
      received_at_ms: nowMs,
    }));
    const query = trx.insertInto('events').values(rows);
    const result = await (dialect === 'mysql' ? query.ignore() : query.orIgnore()).executeTakeFirst();
    inserted += num(result.numInsertedOrUpdatedRows ?? 0);
  }
  if (inserted > 0) await raiseNewestEvent(trx, [...new Set(events.map((e) => e.depotId))], nowMs);
  return inserted;
}

/**
 * Raises the depots' newest arrival (migration 008) to `nowMs`, for those
 * that got a new event now: a retransmitted duplicate, ignored by the insert,
 * must not make a depot look newer than its newest stored event. One
 * statement, so MariaDB locks the depot rows in key order.
 */
async function raiseNewestEvent(trx: Kysely<RelaySchema>, depotIds: readonly number[], nowMs: number): Promise<void> {
  await trx
    .updateTable('depots')
    .set({ last_event_ms: nowMs })
    .where('id', 'in', [...depotIds])
    .where((eb) => eb.or([eb('last_event_ms', 'is', null), eb('last_event_ms', '<', nowMs)]))
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('events')
          .select('events.id')
          .whereRef('events.depot_id', '=', 'depots.id')
          .where('events.received_at_ms', '=', nowMs),
      ),
    )
    .execute();
}

/**
 * The cumulative ack per (depot, epoch) named in `pairs`: the highest s such that
 * the database holds every sequence 1..s. Computed from the stored rows (another
 * relay may have stored some of them), starting at the remembered head, which it raises.
 */
export async function advanceEventHeads(
  trx: Kysely<RelaySchema>,
  dialect: Dialect,
  pairs: ReadonlyArray<{ depotId: number; epoch: string }>,
): Promise<Map<string, number>> {
  const heads = new Map<string, number>();
  if (pairs.length === 0) return heads;
  const depotIds = [...new Set(pairs.map((p) => p.depotId))];
  const stored = await trx
    .selectFrom('event_heads')
    .select(['depot_id', 'journal_epoch', 'contiguous_through'])
    .where('depot_id', 'in', depotIds)
    .execute();
  for (const row of stored) heads.set(key(row.depot_id, toHex(bytes(row.journal_epoch))), num(row.contiguous_through));
  const before = new Map(heads);
  for (const p of pairs) if (!heads.has(key(p.depotId, p.epoch))) heads.set(key(p.depotId, p.epoch), 0);

  const rows = await trx
    .selectFrom('events')
    .select(['depot_id', 'journal_epoch', 'sequence'])
    .where((eb) =>
      eb.or(
        pairs.map((p) => {
          const head = heads.get(key(p.depotId, p.epoch)) ?? 0;
          return eb.and([
            eb('depot_id', '=', p.depotId),
            eb('journal_epoch', '=', fromHex(p.epoch)),
            eb('sequence', '>', head),
            eb('sequence', '<=', head + SCAN_WINDOW),
          ]);
        }),
      ),
    )
    .orderBy('depot_id')
    .orderBy('journal_epoch')
    .orderBy('sequence')
    .execute();
  for (const row of rows) {
    const k = key(row.depot_id, toHex(bytes(row.journal_epoch)));
    const head = heads.get(k) ?? 0;
    if (num(row.sequence) === head + 1) heads.set(k, head + 1);
  }

  const raised = pairs.filter((p) => {
    const k = key(p.depotId, p.epoch);
    return (heads.get(k) ?? 0) > (before.get(k) ?? 0);
  });
  const unique = new Map(raised.map((p) => [key(p.depotId, p.epoch), p]));
  if (unique.size > 0) {
    const values = [...unique.values()].map((p) => ({
      depot_id: p.depotId,
      journal_epoch: fromHex(p.epoch),
      contiguous_through: heads.get(key(p.depotId, p.epoch)) ?? 0,
    }));
    const insert = trx.insertInto('event_heads').values(values);
    if (dialect === 'mysql') {
      await insert
        .onDuplicateKeyUpdate({ contiguous_through: sql`GREATEST(contiguous_through, VALUES(contiguous_through))` })
        .execute();
    } else {
      await insert
        .onConflict((oc) =>
          oc
            .columns(['depot_id', 'journal_epoch'])
            .doUpdateSet({ contiguous_through: (eb) => eb.ref('excluded.contiguous_through') })
            .where('event_heads.contiguous_through', '<', (eb) => eb.ref('excluded.contiguous_through')),
        )
        .execute();
    }
  }
  return heads;
}

export const eventHeadKey = key;
