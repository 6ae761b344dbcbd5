import { sql } from 'kysely';
import type { StoreDatabase } from '../database.js';
import { idsIn } from './batch-sql.js';
import { num, relayDb } from './relay-schema.js';

/** A depot's provisioning and command count, as the relay's uplink rules need them (relay/uplink-rules.ts). */
export interface DepotLimitsRow {
  readonly compartments: number;
  readonly lastIssuedCommand: number;
}

/**
 * Provisioned compartments (never changed after creation) and the last issued
 * command id (for the alert's text) of these depots, in one plain read.
 * Depots that no longer exist are missing from the map.
 */
export async function readDepotLimits(
  store: StoreDatabase,
  depotIds: readonly number[],
): Promise<Map<number, DepotLimitsRow>> {
  const limits = new Map<number, DepotLimitsRow>();
  if (depotIds.length === 0) return limits;
  const rows = await sql<{ id: number; compartment_count: number; last_command_id: number }>`
    SELECT id, compartment_count, last_command_id FROM depots
    WHERE id IN ${idsIn(store.dialect, depotIds)}`.execute(relayDb(store));
  for (const r of rows.rows) {
    limits.set(num(r.id), { compartments: num(r.compartment_count), lastIssuedCommand: num(r.last_command_id) });
  }
  return limits;
}

/**
 * Which of these (depot, command id) pairs name a command that was sent to
 * that depot: primary-key lookups of the commands table. A command is marked
 * sent (sent_at_ms) in a committed transaction before its bytes leave any
 * relay, so a depot that names it can only have got it after that commit.
 * Returns "depotId:id" keys.
 */
export async function sentCommands(
  store: StoreDatabase,
  pairs: readonly { readonly depotId: number; readonly id: number }[],
): Promise<Set<string>> {
  const sent = new Set<string>();
  for (let i = 0; i < pairs.length; i += 200) {
    const chunk = pairs.slice(i, i + 200);
    const rows = await relayDb(store)
      .selectFrom('commands')
      .select(['depot_id', 'id'])
      .where('sent_at_ms', 'is not', null)
      .where((eb) => eb.or(chunk.map((p) => eb.and([eb('depot_id', '=', p.depotId), eb('id', '=', p.id)]))))
      .execute();
    for (const r of rows) sent.add(`${num(r.depot_id)}:${num(r.id)}`);
  }
  return sent;
}

/** The relay_events kind of a protocol violation; the portal shows recent ones as alerts. */
export const VIOLATION_EVENT = 'protocol-violation';

/** One recorded violation, as relay_events.detail holds it (JSON). */
export interface ViolationRecord {
  readonly depotId: number;
  readonly reason: string;
  readonly value: number;
  readonly limit: number;
}

/**
 * Records protocol violations for the portal (relay_events, one row each, in
 * one transaction). The caller rate-limits: a depot repeating a violation on
 * every check-in must not write a row per telegram.
 */
export async function recordViolations(
  store: StoreDatabase,
  violations: readonly ViolationRecord[],
  nowMs: number,
): Promise<void> {
  if (violations.length === 0) return;
  await relayDb(store)
    .insertInto('relay_events')
    .values(
      violations.map((v) => ({
        depot_id: v.depotId,
        at_ms: nowMs,
        kind: VIOLATION_EVENT,
        detail: JSON.stringify({ reason: v.reason, value: v.value, limit: v.limit }),
      })),
    )
    .execute();
}
