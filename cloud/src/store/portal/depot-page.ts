import { EventKind } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { appendAudit } from '../audit.js';
import { inTransaction, requireDepot } from '../depots.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { compartmentsOf } from './dashboard.js';

/**
 * A withdrawal is counted once: as the key taken out where the compartment has
 * a key sensor, else as the PIN accepted (a pickup with a sensor reports both).
 */
const WITHDRAWAL_KINDS: readonly number[] = [EventKind.KeyRemoved, EventKind.PinAccepted];

/** Quarter hours: every time zone's offset is a multiple of 15 minutes, so the caller can bucket by local day exactly. */
const QUARTER_HOUR_MS = 900_000;

/**
 * Withdrawals per quarter hour of depot time in [fromMs, untilMs): few rows
 * (at most 96 a day) whatever the number of events, counted by the database on
 * the index (depot_id, kind, depot_time_ms).
 */
export async function withdrawalsByQuarterHour(
  db: Kysely<Schema>,
  depotId: number,
  fromMs: number,
  untilMs: number,
): Promise<Array<{ startMs: number; count: number }>> {
  // A literal, not a parameter: MySQL must see the same expression in SELECT and GROUP BY.
  const bucket = sql<number>`e.depot_time_ms - (e.depot_time_ms % ${sql.raw(String(QUARTER_HOUR_MS))})`;
  const rows = await db
    .selectFrom('events as e')
    .innerJoin('compartments as c', (join) =>
      join.onRef('c.depot_id', '=', 'e.depot_id').onRef('c.number', '=', 'e.compartment'),
    )
    .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.depot_id', '=', depotId)
    .where('e.depot_time_ms', '>=', fromMs)
    .where('e.depot_time_ms', '<', untilMs)
    .where('e.kind', 'in', [...WITHDRAWAL_KINDS])
    .where((eb) =>
      eb.or([
        eb.and([eb('e.kind', '=', EventKind.KeyRemoved), eb('c.has_key_sensor', '=', 1)]),
        eb.and([eb('e.kind', '=', EventKind.PinAccepted), eb('c.has_key_sensor', '=', 0)]),
      ]),
    )
    .groupBy(bucket)
    .execute();
  return rows.map((row) => ({ startMs: toNumber(row.bucket), count: toNumber(row.n) }));
}

export interface DepotSettings {
  readonly name: string;
  readonly address: string;
  readonly timeZone: string;
  /** Compartment number → label. */
  readonly labels: ReadonlyMap<number, string>;
}

/**
 * Saves an owner's edit of master data and compartment labels, with one audit
 * entry holding only what changed (before and after), in one transaction.
 * Returns false when nothing changed (no entry is written then).
 */
export async function updateDepotSettings(
  db: Kysely<Schema>,
  input: { depotId: number; settings: DepotSettings; userId: number; address: string; nowMs: number },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const depot = await requireDepot(trx, input.depotId);
    const compartments = await compartmentsOf(trx, [depot.id]);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const { settings } = input;
    const master = { name: settings.name, address: settings.address, time_zone: settings.timeZone };
    const old = { name: depot.name, address: depot.address, time_zone: depot.timeZone };
    const changed = (Object.keys(master) as Array<keyof typeof master>).filter((k) => master[k] !== old[k]);
    for (const k of changed) {
      before[k] = old[k];
      after[k] = master[k];
    }
    if (changed.length > 0) {
      await trx
        .updateTable('depots')
        .set(Object.fromEntries(changed.map((k) => [k, master[k]])))
        .where('id', '=', depot.id)
        .execute();
    }
    for (const c of compartments) {
      const label = settings.labels.get(c.number);
      if (label === undefined || label === c.label) continue;
      before[`compartment ${c.number}`] = c.label;
      after[`compartment ${c.number}`] = label;
      await trx
        .updateTable('compartments')
        .set({ label })
        .where('depot_id', '=', depot.id)
        .where('number', '=', c.number)
        .execute();
    }
    if (Object.keys(after).length === 0) return false;
    await appendAudit(trx, {
      atMs: input.nowMs,
      actor: 'user',
      actorUserId: input.userId,
      action: 'depot.update',
      organisationId: depot.organisationId,
      depotId: depot.id,
      subject: settings.name,
      before,
      after,
      address: input.address,
    });
    return true;
  });
}
