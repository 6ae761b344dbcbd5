import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../database.js';
import { num, type RelaySchema, relayDb } from './relay-schema.js';

/** An online/offline transition the relay recorded (relay_events and audit_log). */
export interface PresenceChange {
  readonly depotId: number;
  readonly kind: 'online' | 'offline';
  readonly atMs: number;
}

async function record(trx: Kysely<RelaySchema>, change: PresenceChange, organisationId: number, detail: string) {
  await trx
    .insertInto('relay_events')
    .values({ depot_id: change.depotId, at_ms: change.atMs, kind: change.kind, detail })
    .execute();
  await trx
    .insertInto('audit_log')
    .values({
      at_ms: change.atMs,
      actor: 'relay',
      action: `depot.${change.kind}`,
      organisation_id: organisationId,
      depot_id: change.depotId,
      subject: `depot ${change.depotId}`,
      before_json: JSON.stringify({ online: change.kind === 'online' ? 0 : 1 }),
      after_json: JSON.stringify({ online: change.kind === 'online' ? 1 : 0 }),
    })
    .execute();
}

/**
 * Marks depots heard from now as seen and, where they were offline, online.
 * Each transition is claimed with a conditional UPDATE, so with several relays
 * exactly one records it.
 */
export async function markSeen(
  trx: Kysely<RelaySchema>,
  depotIds: readonly number[],
  nowMs: number,
): Promise<PresenceChange[]> {
  if (depotIds.length === 0) return [];
  await trx
    .updateTable('depots')
    .set({ last_seen_ms: nowMs })
    .where('id', 'in', [...depotIds])
    .where((eb) => eb.or([eb('last_seen_ms', 'is', null), eb('last_seen_ms', '<', nowMs)]))
    .execute();
  const offline = await trx
    .selectFrom('depots')
    .select(['id', 'organisation_id'])
    .where('id', 'in', [...depotIds])
    .where('online', '=', 0)
    .execute();
  const changes: PresenceChange[] = [];
  for (const depot of offline) {
    const claimed = await trx
      .updateTable('depots')
      .set({ online: 1 })
      .where('id', '=', depot.id)
      .where('online', '=', 0)
      .executeTakeFirst();
    if (num(claimed.numUpdatedRows) !== 1) continue;
    const change: PresenceChange = { depotId: depot.id, kind: 'online', atMs: nowMs };
    await record(trx, change, depot.organisation_id, 'first telegram after being offline');
    changes.push(change);
  }
  return changes;
}

/**
 * Marks depots offline that have not been heard from since `silentSinceMs`
 * (3 missed check-ins). Safe with several relays: each transition is claimed
 * by one conditional UPDATE.
 */
export async function sweepOffline(
  store: StoreDatabase,
  silentSinceMs: number,
  nowMs: number,
): Promise<PresenceChange[]> {
  const db = relayDb(store);
  const candidates = await db
    .selectFrom('depots')
    .select(['id', 'organisation_id', 'last_seen_ms'])
    .where('online', '=', 1)
    .where('last_seen_ms', '<', silentSinceMs)
    .execute();
  const changes: PresenceChange[] = [];
  for (const depot of candidates) {
    const change = await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('depots')
        .set({ online: 0 })
        .where('id', '=', depot.id)
        .where('online', '=', 1)
        .where('last_seen_ms', '<', silentSinceMs)
        .executeTakeFirst();
      if (num(claimed.numUpdatedRows) !== 1) return undefined;
      const c: PresenceChange = { depotId: depot.id, kind: 'offline', atMs: nowMs };
      await record(trx, c, depot.organisation_id, `last seen ${new Date(num(depot.last_seen_ms)).toISOString()}`);
      return c;
    });
    if (change) changes.push(change);
  }
  return changes;
}

/** The portal's view: a depot's online/offline history, newest first. */
export async function listRelayEvents(store: StoreDatabase, depotId: number, limit = 50) {
  return relayDb(store)
    .selectFrom('relay_events')
    .select(['at_ms', 'kind', 'detail'])
    .where('depot_id', '=', depotId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
