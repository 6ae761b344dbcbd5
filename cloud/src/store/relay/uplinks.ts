import { type Kysely, sql } from 'kysely';
import type { StoreDatabase } from '../database.js';
import type { CommandState } from '../schema.js';
import { byPrimaryKey, idsIn, jsonRows, mysqlLiteral } from './batch-sql.js';
import { markCommandsSent, raiseLastAppliedMany, recordCommandResult } from './commands.js';
import { advanceEventHeads, eventHeadKey, insertEvents } from './event-ingest.js';
import { retryLockConflicts } from './lock-conflicts.js';
import { type LastSeenWrites, markSeen } from './presence.js';
import { num, type RelaySchema, relayDb } from './relay-schema.js';
import { reserveCountersInMany } from './sessions.js';
import { storeStatuses } from './status.js';
import {
  ackFrames,
  type BatchTail,
  type CounterBlock,
  type LastAppliedWrites,
  lastAppliedOf,
  type StoredBatch,
  type StoredBatchWithTail,
  statusUpdates,
  type Uplink,
} from './uplinks-plan.js';
import { sqliteBatchWriter } from './uplinks-sqlite.js';

export type { BatchTail, CounterBlock, StoredBatch, StoredBatchWithTail, Uplink } from './uplinks-plan.js';
export { LastAppliedWrites } from './uplinks-plan.js';

export interface StoreUplinksOptions {
  /**
   * Runs last, inside the same transaction and synchronously (the SQLite batch
   * is one synchronous transaction): the relay decides there which commands it
   * carries and which counter blocks its replies need; the store writes them.
   */
  readonly inTransaction?: (stored: StoredBatch) => BatchTail;
  /** Writes each depot's last seen at most this often; without it, every batch writes it. */
  readonly lastSeen?: LastSeenWrites;
  /** Skips raising a depot's last applied command where this process already committed it; without it, every batch raises. */
  readonly lastApplied?: LastAppliedWrites;
}

/** Sessions per UPDATE on MySQL (one UNION ALL term each). */
const SESSION_CHUNK = 1_000;

/**
 * Stores a batch of uplinks in one transaction (group commit): last seen and
 * online state, session counters and endpoints, events (idempotent), acks computed
 * from the stored rows, STATUS, command results. Nothing may be acknowledged
 * before this resolves.
 */
export async function storeUplinks(
  store: StoreDatabase,
  uplinks: readonly Uplink[],
  nowMs: number,
  options: StoreUplinksOptions = {},
): Promise<StoredBatchWithTail> {
  const dialect = store.dialect;
  const depotIds = new Set(uplinks.map((u) => u.depotId));
  const seen = options.lastSeen ? options.lastSeen.due(depotIds, nowMs) : [...depotIds];
  const tail = options.inTransaction;
  const lastApplied = lastAppliedOf(uplinks);
  const raises = options.lastApplied ? options.lastApplied.due(lastApplied) : lastApplied;
  const sqlite = store.sqlite;
  if (sqlite) {
    // Cached statements on the raw handle, one synchronous transaction; holding Kysely's connection
    // meanwhile keeps its own transactions (handshakes, polls) from interleaving with ours.
    const write = sqliteBatchWriter(sqlite);
    const stored = await relayDb(store)
      .connection()
      .execute(async () => write({ uplinks, seen, lastApplied, raises, nowMs, tail }));
    options.lastSeen?.written(seen, nowMs);
    options.lastApplied?.written(raises);
    return stored;
  }
  const stored = await retryLockConflicts(() =>
    batchTransaction(relayDb(store)).execute(async (trx) => {
      // Writes first, so SQLite takes the write lock at the start of the transaction; depots before
      // sessions, the order of the handshake's transaction, so that MariaDB's row locks cannot deadlock.
      // Events (which raise their depots' newest arrival) before sessions for the same reason.
      const presence = await markSeen(trx, dialect, seen, nowMs);
      // Still with the depots rows, before any commands row: queueCommand locks a depot, then inserts its
      // command, and a batch taking them the other way round deadlocked with it. (A depot skipped here
      // is not locked by the batch at all, so it cannot close that cycle either.)
      await raiseLastAppliedMany(trx, dialect, raises);
      const events = uplinks.flatMap((u) => u.events.map((frame) => ({ depotId: u.depotId, frame })));
      const eventsInserted = await insertEvents(trx, dialect, events, nowMs);
      const highest = await storeSessionProgress(trx, dialect, uplinks, nowMs);

      const pairs = new Map<string, { depotId: number; epoch: string }>();
      for (const e of events)
        pairs.set(eventHeadKey(e.depotId, e.frame.epoch), { depotId: e.depotId, epoch: e.frame.epoch });
      const heads = await advanceEventHeads(trx, dialect, [...pairs.values()]);
      const acks = ackFrames(uplinks, heads);
      await storeStatuses(trx, dialect, statusUpdates(uplinks, highest), nowMs);

      const commandStates: CommandState[] = [];
      for (const u of uplinks) {
        for (const r of u.results) {
          const state = await recordCommandResult(trx, u.depotId, r, nowMs);
          if (state) commandStates.push(state);
        }
      }

      const stored: StoredBatch = { acks, eventsInserted, presence, commandStates, lastApplied };
      const blocks: (CounterBlock | undefined)[] = [];
      if (tail) {
        const t = tail(stored);
        for (const [depotId, ids] of t.markSent) await markCommandsSent(trx, depotId, ids, nowMs);
        blocks.push(...(await reserveCountersInMany(trx, dialect, t.reserve)));
      }
      return { ...stored, blocks };
    }),
  );
  options.lastSeen?.written(seen, nowMs);
  options.lastApplied?.written(raises);
  return stored;
}

/**
 * The MySQL/MariaDB batch transaction, READ COMMITTED: no gap locks. Under
 * REPEATABLE READ the STATUS read FOR UPDATE of a depot without a stored row
 * locks the gap up to the next stored row, which another lane's insert needs
 * (lock waits and deadlocks while depots send their first STATUS). Every
 * decision in the batch reads with a lock or writes conditionally, so it sees
 * the newest commit either way.
 */
export function batchTransaction(db: Kysely<RelaySchema>) {
  return db.transaction().setIsolationLevel('read committed');
}

/**
 * Receive counter and endpoint move only forward, only from the newest
 * authenticated counter: one multi-row UPDATE … WHERE receive_counter_highest < new.
 * Returns, per session this batch moved forward, its new highest counter.
 */
async function storeSessionProgress(
  trx: Kysely<RelaySchema>,
  dialect: StoreDatabase['dialect'],
  uplinks: readonly Uplink[],
  nowMs: number,
): Promise<Map<number, number>> {
  const highest = new Map<number, number>();
  const newest = new Map<number, Uplink>();
  for (const u of uplinks) {
    const seen = newest.get(u.sessionId);
    if (!seen || u.counter > seen.counter) newest.set(u.sessionId, u);
  }
  const list = [...newest.values()];
  if (dialect === 'sqlite') {
    if (list.length > 0) {
      const v = jsonRows(
        ['sid', 'ctr', 'ep'],
        list.map((u) => [u.sessionId, u.counter, u.endpoint]),
      );
      const moved = await sql<{ session_id: number; receive_counter_highest: number }>`UPDATE depot_sessions
        SET receive_counter_highest = v.ctr, endpoint = v.ep
        FROM ${v} AS v
        WHERE depot_sessions.session_id = v.sid AND depot_sessions.receive_counter_highest < v.ctr
        RETURNING depot_sessions.session_id, depot_sessions.receive_counter_highest`.execute(trx);
      for (const r of moved.rows) highest.set(num(r.session_id), num(r.receive_counter_highest));
    }
  } else {
    let moved = 0;
    for (let i = 0; i < list.length; i += SESSION_CHUNK) {
      const chunk = list.slice(i, i + SESSION_CHUNK);
      const rows = sql.raw(
        chunk
          .map((u, j) => {
            const [sid, ctr, ep] = [u.sessionId, u.counter, u.endpoint].map(mysqlLiteral);
            return j === 0 ? `SELECT ${sid} AS sid, ${ctr} AS ctr, ${ep} AS ep` : `SELECT ${sid}, ${ctr}, ${ep}`;
          })
          .join(' UNION ALL '),
      );
      const result = await sql`UPDATE depot_sessions s JOIN (${rows}) v ON s.session_id = v.sid
        SET s.receive_counter_highest = v.ctr, s.endpoint = v.ep
        WHERE s.receive_counter_highest < v.ctr`.execute(trx);
      moved += Number(result.numAffectedRows ?? 0);
    }
    if (moved === list.length) {
      // Every session moved forward to this batch's counter (the usual case): that is its highest.
      for (const u of list) highest.set(u.sessionId, u.counter);
    } else {
      // Some did not: another relay stored a higher counter, or the session is gone. No UPDATE …
      // RETURNING on MariaDB: read the rows back, locking, so that no other relay moves the counter
      // between this read and the commit that the STATUS decision rests on.
      const withStatus = [...new Set(uplinks.filter((u) => u.status).map((u) => u.sessionId))];
      if (withStatus.length > 0) {
        const rows = await sql<{ session_id: number; receive_counter_highest: number }>`SELECT session_id,
          receive_counter_highest FROM depot_sessions${byPrimaryKey(dialect)} WHERE session_id IN ${idsIn(dialect, withStatus)} FOR UPDATE`.execute(
          trx,
        );
        for (const r of rows.rows) highest.set(num(r.session_id), num(r.receive_counter_highest));
      }
    }
  }
  const confirming = [...new Set(uplinks.filter((u) => u.confirms).map((u) => u.sessionId))];
  if (confirming.length > 0) {
    await trx
      .updateTable('depot_sessions')
      .set({ confirmed_at_ms: nowMs })
      .where('session_id', 'in', confirming)
      .where('confirmed_at_ms', 'is', null)
      .execute();
  }
  return highest;
}
