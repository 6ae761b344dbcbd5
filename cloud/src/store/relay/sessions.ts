import { type Kysely, sql } from 'kysely';
import type { DataSealer } from '../../keys/data-key.js';
import type { Dialect, StoreDatabase } from '../database.js';
import { byPrimaryKey, idsIn, integerCase } from './batch-sql.js';
import { MissingSealerError } from './command-secrets.js';
import { bytes, num, type RelaySchema, relayDb } from './relay-schema.js';

/** A session as the relay stores it: enough for any relay process to continue it. */
export interface StoredSession {
  readonly sessionId: number;
  readonly depotId: number;
  readonly remoteId: number;
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly createdAtMs: number;
  readonly confirmedAtMs: number | null;
  readonly receiveCounterHighest: number;
  readonly endpoint: string | null;
  readonly stamp: number;
}

export type HandshakeVerdict =
  | { readonly ok: true; readonly depotId: number; readonly sessionId: number; readonly previousIds: number[] }
  | { readonly ok: false; readonly reason: 'unknown-depot' | 'stale-stamp' | 'session-id-taken' | 'handshake' };

export interface AcceptHandshakeParams {
  readonly depotPublicKey: Uint8Array;
  readonly stamp: number;
  /** Session ids to try, in order; the first one no live session uses is taken. */
  readonly candidateIds: readonly number[];
  readonly nowMs: number;
  readonly endpoint: string;
  /** Send counters [0, block) belong to the accepting process. */
  readonly counterBlock: number;
  /** Builds the response for the chosen id; null when Noise refuses (low-order ephemeral). */
  readonly respond: (sessionId: number) => { remoteId: number; sendKey: Uint8Array; receiveKey: Uint8Array } | null;
}

/** Where a session's sealed keys live: the associated data of their seal. */
export const sessionKeysPlace = (sessionId: number) => `depot_sessions.keys_sealed:${sessionId}`;

/**
 * A session's two transport keys as stored: sealed with the data key, never in
 * clear (a dump with them could forge relay→depot telegrams, OPEN included, for
 * the rest of the session). One seal at the handshake, one open when a relay
 * process first meets the session; none per telegram.
 */
export function sealSessionKeys(
  sealer: DataSealer,
  sessionId: number,
  keys: { sendKey: Uint8Array; receiveKey: Uint8Array },
): Uint8Array {
  const clear = Buffer.concat([keys.sendKey, keys.receiveKey]);
  try {
    return sealer.seal(clear.toString('hex'), sessionKeysPlace(sessionId));
  } finally {
    clear.fill(0);
  }
}

export function openSessionKeys(
  sealer: DataSealer,
  sessionId: number,
  sealed: Uint8Array,
): { sendKey: Uint8Array; receiveKey: Uint8Array } {
  const clear = Buffer.from(sealer.open(sealed, sessionKeysPlace(sessionId)), 'hex');
  if (clear.length !== 64) throw new RangeError(`the keys of session ${sessionId} are not two 32-byte keys`);
  return { sendKey: new Uint8Array(clear.subarray(0, 32)), receiveKey: new Uint8Array(clear.subarray(32)) };
}

/** Stamps are stored big-endian in varbinary(8) so that byte order is numeric order on both engines. */
export function stampBytes(stamp: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(stamp));
  return out;
}

/**
 * Protocol §6.1 and §9 in one transaction: raise the depot's stamp (only if the
 * new one is higher and the depot is not revoked), store the new session
 * before the response is sent, and keep only it and the one before it.
 */
export async function acceptHandshake(store: StoreDatabase, p: AcceptHandshakeParams): Promise<HandshakeVerdict> {
  const { sealer } = store;
  if (!sealer) throw new MissingSealerError('store a session');
  const db = relayDb(store);
  const stamp = stampBytes(p.stamp);
  return db.transaction().execute(async (trx) => {
    // A write first, so SQLite takes its write lock at once (no deferred-upgrade conflicts).
    const raised = await trx
      .updateTable('depots')
      .set({ handshake_stamp: stamp })
      .where('public_key', '=', p.depotPublicKey)
      .where('revoked_at_ms', 'is', null)
      .where((eb) => eb.or([eb('handshake_stamp', 'is', null), eb('handshake_stamp', '<', stamp)]))
      .executeTakeFirst();
    const depot = await trx
      .selectFrom('depots')
      .select(['id', 'revoked_at_ms'])
      .where('public_key', '=', p.depotPublicKey)
      .executeTakeFirst();
    if (depot === undefined || depot.revoked_at_ms !== null) return { ok: false, reason: 'unknown-depot' };
    if (num(raised.numUpdatedRows) !== 1) return { ok: false, reason: 'stale-stamp' };
    const taken = await trx
      .selectFrom('depot_sessions')
      .select('session_id')
      .where('session_id', 'in', [...p.candidateIds])
      .execute();
    const used = new Set(taken.map((r) => num(r.session_id)));
    const sessionId = p.candidateIds.find((id) => !used.has(id));
    if (sessionId === undefined) throw new SessionIdTakenError();
    const keys = p.respond(sessionId);
    if (keys === null) throw new NoiseRefusedError();
    await trx
      .insertInto('depot_sessions')
      .values({
        session_id: sessionId,
        depot_id: depot.id,
        keys_sealed: sealSessionKeys(sealer, sessionId, keys),
        remote_id: keys.remoteId,
        created_at_ms: p.nowMs,
        send_counter_reserved: p.counterBlock,
        endpoint: p.endpoint,
        stamp: p.stamp,
      })
      .execute();
    const older = await trx
      .selectFrom('depot_sessions')
      .select('session_id')
      .where('depot_id', '=', depot.id)
      .where('session_id', '<>', sessionId)
      .orderBy('stamp', 'desc')
      .execute();
    const stale = older.slice(1).map((r) => num(r.session_id));
    if (stale.length > 0) await trx.deleteFrom('depot_sessions').where('session_id', 'in', stale).execute();
    return { ok: true, depotId: depot.id, sessionId, previousIds: older.slice(0, 1).map((r) => num(r.session_id)) };
  });
}

/** Thrown inside the handshake transaction to roll the stamp back; the caller drops the initiation. */
export class SessionIdTakenError extends Error {
  override readonly name = 'SessionIdTakenError';
}
export class NoiseRefusedError extends Error {
  override readonly name = 'NoiseRefusedError';
}

/** A live session of a depot that is not revoked, or undefined. Opens its keys (a cache miss, not per telegram). */
export async function loadSession(store: StoreDatabase, sessionId: number): Promise<StoredSession | undefined> {
  const row = await relayDb(store)
    .selectFrom('depot_sessions as s')
    .innerJoin('depots as d', 'd.id', 's.depot_id')
    .select([
      's.session_id',
      's.depot_id',
      's.remote_id',
      's.keys_sealed',
      's.created_at_ms',
      's.confirmed_at_ms',
      's.receive_counter_highest',
      's.endpoint',
      's.stamp',
    ])
    .where('s.session_id', '=', sessionId)
    .where('d.revoked_at_ms', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  if (!store.sealer) throw new MissingSealerError('load a session');
  const id = num(row.session_id);
  return {
    sessionId: id,
    depotId: num(row.depot_id),
    remoteId: num(row.remote_id),
    ...openSessionKeys(store.sealer, id, bytes(row.keys_sealed)),
    createdAtMs: num(row.created_at_ms),
    confirmedAtMs: row.confirmed_at_ms === null ? null : num(row.confirmed_at_ms),
    receiveCounterHighest: num(row.receive_counter_highest),
    endpoint: row.endpoint,
    stamp: num(row.stamp),
  };
}

/**
 * Reserves the next `count` send counters of a session for this process:
 * returns [start, end). Atomic on both engines (row lock / single writer), so
 * two relays never get overlapping blocks and never reuse a nonce.
 */
export async function reserveSendCounters(
  store: StoreDatabase,
  sessionId: number,
  count: number,
): Promise<{ start: number; end: number } | undefined> {
  return relayDb(store)
    .transaction()
    .execute((trx) => reserveCountersIn(trx, sessionId, count));
}

/** Forgets sessions past REJECT_AFTER (created before `beforeMs`); returns how many. */
export async function deleteSessionsCreatedBefore(store: StoreDatabase, beforeMs: number): Promise<number> {
  const result = await relayDb(store)
    .deleteFrom('depot_sessions')
    .where('created_at_ms', '<', beforeMs)
    .executeTakeFirst();
  return num(result.numDeletedRows);
}

/**
 * Ids of depots revoked or rekeyed at or after `sinceMs`: the relay forgets their
 * cached sessions, so neither a revoked box nor a copy of an old key goes on talking.
 */
export async function depotsToForgetSince(
  store: StoreDatabase,
  sinceMs: number,
): Promise<{ depotId: number; sessionsBeforeMs: number }[]> {
  const rows = await relayDb(store)
    .selectFrom('depots')
    .select(['id', 'revoked_at_ms', 'key_changed_at_ms'])
    .where((eb) => eb.or([eb('revoked_at_ms', '>=', sinceMs), eb('key_changed_at_ms', '>=', sinceMs)]))
    .execute();
  // Revoked: every session goes. Rekeyed: the sessions made before the new key.
  return rows.map((r) => ({
    depotId: r.id,
    sessionsBeforeMs: r.revoked_at_ms !== null ? Number.POSITIVE_INFINITY : num(r.key_changed_at_ms),
  }));
}

/**
 * Reserves `count` send counters of a session inside a running transaction:
 * [start, end). The UPDATE takes the row lock (MariaDB) or the write lock
 * (SQLite), so concurrent relays get disjoint blocks. The block may be used
 * only after the transaction committed.
 */
async function reserveCountersIn(
  trx: Kysely<RelaySchema>,
  sessionId: number,
  count: number,
): Promise<{ start: number; end: number } | undefined> {
  const updated = await trx
    .updateTable('depot_sessions')
    .set({ send_counter_reserved: sql`send_counter_reserved + ${count}` })
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  if (num(updated.numUpdatedRows) !== 1) return undefined;
  const row = await trx
    .selectFrom('depot_sessions')
    .select('send_counter_reserved')
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const end = num(row.send_counter_reserved);
  return { start: end - count, end };
}

/**
 * `reserveCountersIn` for several sessions (the MySQL/MariaDB batch; SQLite's has its own statements): one UPDATE and one
 * read for the whole uplink batch instead of two statements per session, which
 * was most of a batch's round trips once blocks run out every few seconds.
 * Results in the order of `reservations`; undefined for a session that is gone.
 */
export async function reserveCountersInMany(
  trx: Kysely<RelaySchema>,
  dialect: Dialect,
  reservations: readonly { readonly sessionId: number; readonly count: number }[],
): Promise<({ start: number; end: number } | undefined)[]> {
  const ids = reservations.map((r) => r.sessionId);
  if (new Set(ids).size !== ids.length) {
    // A session twice in one call: one at a time, so each gets its own block.
    const blocks: ({ start: number; end: number } | undefined)[] = [];
    for (const r of reservations) blocks.push(await reserveCountersIn(trx, r.sessionId, r.count));
    return blocks;
  }
  if (ids.length === 0) return [];
  const add = integerCase(
    'session_id',
    reservations.map((r) => [r.sessionId, r.count] as const),
  );
  const list = idsIn(dialect, ids);
  await sql`UPDATE depot_sessions${byPrimaryKey(dialect)} SET send_counter_reserved = send_counter_reserved + ${add}
    WHERE session_id IN ${list}`.execute(trx);
  // This transaction holds the rows' locks now and reads its own writes.
  const rows = await sql<{ session_id: number; send_counter_reserved: number }>`SELECT session_id,
    send_counter_reserved FROM depot_sessions${byPrimaryKey(dialect)} WHERE session_id IN ${list}`.execute(trx);
  const ends = new Map(rows.rows.map((r) => [num(r.session_id), num(r.send_counter_reserved)]));
  return reservations.map((r) => {
    const end = ends.get(r.sessionId);
    return end === undefined ? undefined : { start: end - r.count, end };
  });
}
