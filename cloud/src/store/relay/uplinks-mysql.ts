import { type Kysely, sql } from 'kysely';
import type { CommandState } from '../schema.js';
import { byPrimaryKey, idsIn, mysqlLiteral } from './batch-sql.js';
import { markCommandsSent, raiseLastAppliedMany, recordCommandResult } from './commands.js';
import { advanceEventHeads, eventHeadKey, insertEvents } from './event-ingest.js';
import { retryLockConflicts } from './lock-conflicts.js';
import { markSeenMysql } from './presence.js';
import { num, type RelaySchema } from './relay-schema.js';
import { reserveCountersInMany } from './sessions.js';
import { storeStatusesMysql } from './status.js';
import {
  ackFrames,
  type BatchArgs,
  type CounterBlock,
  type StoredBatch,
  type StoredBatchWithTail,
  statusUpdates,
  type Uplink,
} from './uplinks-plan.js';

// The MySQL/MariaDB path of the uplink batch: one READ COMMITTED transaction
// through Kysely, a few multi-row statements per batch whose rows are written
// into the text as literals (batch-sql.ts), retried on a lock conflict. The
// SQLite path is uplinks-sqlite.ts; storeUplinks (uplinks.ts) picks one.

/** Sessions per UPDATE (one UNION ALL term each). */
const SESSION_CHUNK = 1_000;

/** Writes one batch in its own transaction, retried whole on a deadlock or lock wait timeout. */
export function writeMysqlBatch(
  db: Kysely<RelaySchema>,
  { uplinks, seen, lastApplied, raises, nowMs, tail }: BatchArgs,
): Promise<StoredBatchWithTail> {
  return retryLockConflicts(() =>
    batchTransaction(db).execute(async (trx) => {
      // Depots before sessions, the order of the handshake's transaction, so that MariaDB's row locks cannot deadlock.
      // Events (which raise their depots' newest arrival) before sessions for the same reason.
      const presence = await markSeenMysql(trx, seen, nowMs);
      // Still with the depots rows, before any commands row: queueCommand locks a depot, then inserts its
      // command, and a batch taking them the other way round deadlocked with it. (A depot skipped here
      // is not locked by the batch at all, so it cannot close that cycle either.)
      await raiseLastAppliedMany(trx, 'mysql', raises);
      const events = uplinks.flatMap((u) => u.events.map((frame) => ({ depotId: u.depotId, frame })));
      const eventsInserted = await insertEvents(trx, 'mysql', events, nowMs);
      const highest = await storeSessionProgress(trx, uplinks, nowMs);

      const pairs = new Map<string, { depotId: number; epoch: string }>();
      for (const e of events)
        pairs.set(eventHeadKey(e.depotId, e.frame.epoch), { depotId: e.depotId, epoch: e.frame.epoch });
      const heads = await advanceEventHeads(trx, 'mysql', [...pairs.values()]);
      const acks = ackFrames(uplinks, heads);
      await storeStatusesMysql(trx, statusUpdates(uplinks, highest), nowMs);

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
        blocks.push(...(await reserveCountersInMany(trx, 'mysql', t.reserve)));
      }
      return { ...stored, blocks };
    }),
  );
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
        receive_counter_highest FROM depot_sessions${byPrimaryKey('mysql')} WHERE session_id IN ${idsIn('mysql', withStatus)} FOR UPDATE`.execute(
        trx,
      );
      for (const r of rows.rows) highest.set(num(r.session_id), num(r.receive_counter_highest));
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
