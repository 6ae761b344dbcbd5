import { type Kysely, sql } from 'kysely';
import type { StoreDatabase } from '../database.js';
import { byPrimaryKey, idsIn } from './batch-sql.js';
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
 * Which depots' last seen is due to be written. Offline detection needs last
 * seen to a resolution far coarser than a check-in (3 missed check-ins,
 * 185 s), so a depot checking in many times a second has it written at most
 * once per `everyMs`: the row stays clean, and on SQLite its page is not
 * rewritten to the WAL by every batch. `everyMs` must stay well below the
 * offline threshold: a depot written within it cannot have been swept offline
 * meanwhile (the sweep needs last_seen_ms older than the threshold), so
 * skipping it also skips nothing of the online transition.
 */
export class LastSeenWrites {
  private readonly writtenAt = new Map<number, number>();

  constructor(private readonly everyMs: number) {}

  /** The depots among `depotIds` whose last seen this process has not written within `everyMs`. */
  due(depotIds: Iterable<number>, nowMs: number): number[] {
    const due: number[] = [];
    for (const id of depotIds) {
      const at = this.writtenAt.get(id);
      if (at === undefined || nowMs - at >= this.everyMs || nowMs < at) due.push(id);
    }
    return due;
  }

  /** Call after the transaction that wrote them committed. */
  written(depotIds: readonly number[], nowMs: number): void {
    for (const id of depotIds) this.writtenAt.set(id, nowMs);
  }
}

/**
 * The MySQL/MariaDB batch's presence writes (uplinks-sqlite.ts has SQLite's):
 * marks depots heard from now as seen and, where they were offline, online.
 * Each transition is claimed with a conditional UPDATE, so with several relays
 * exactly one records it.
 */
export async function markSeenMysql(
  trx: Kysely<RelaySchema>,
  depotIds: readonly number[],
  nowMs: number,
): Promise<PresenceChange[]> {
  if (depotIds.length === 0) return [];
  const ids = idsIn('mysql', depotIds);
  await sql`UPDATE depots${byPrimaryKey('mysql')} SET last_seen_ms = ${nowMs}
    WHERE id IN ${ids} AND (last_seen_ms IS NULL OR last_seen_ms < ${nowMs})`.execute(trx);
  const offline = await sql<{
    id: number;
    organisation_id: number;
  }>`SELECT id, organisation_id FROM depots${byPrimaryKey('mysql')}
    WHERE id IN ${ids} AND online = 0`.execute(trx);
  const changes: PresenceChange[] = [];
  for (const depot of offline.rows) {
    const id = num(depot.id);
    const claimed = await trx
      .updateTable('depots')
      .set({ online: 1 })
      .where('id', '=', id)
      .where('online', '=', 0)
      .executeTakeFirst();
    if (num(claimed.numUpdatedRows) !== 1) continue;
    const change: PresenceChange = { depotId: id, kind: 'online', atMs: nowMs };
    await record(trx, change, num(depot.organisation_id), 'first telegram after being offline');
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
