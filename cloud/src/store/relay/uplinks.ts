import type { StoreDatabase } from '../database.js';
import type { LastSeenWrites } from './presence.js';
import { relayDb } from './relay-schema.js';
import { writeMysqlBatch } from './uplinks-mysql.js';
import {
  type BatchTail,
  type LastAppliedWrites,
  lastAppliedOf,
  type StoredBatch,
  type StoredBatchWithTail,
  type Uplink,
} from './uplinks-plan.js';
import { sqliteBatchWriter } from './uplinks-sqlite.js';

// The relay's uplink batch: one transaction per batch, one writer per engine
// (uplinks-sqlite.ts, uplinks-mysql.ts), both writing what uplinks-plan.ts and
// status.ts decide.

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
  const depotIds = new Set(uplinks.map((u) => u.depotId));
  const seen = options.lastSeen ? options.lastSeen.due(depotIds, nowMs) : [...depotIds];
  const lastApplied = lastAppliedOf(uplinks);
  const raises = options.lastApplied ? options.lastApplied.due(lastApplied) : lastApplied;
  const args = { uplinks, seen, lastApplied, raises, nowMs, tail: options.inTransaction };
  const sqlite = store.sqlite;
  const stored = sqlite
    ? // Holding Kysely's connection keeps its own transactions (handshakes, polls) from interleaving with ours.
      await relayDb(store)
        .connection()
        .execute(async () => sqliteBatchWriter(sqlite)(args))
    : await writeMysqlBatch(relayDb(store), args);
  options.lastSeen?.written(seen, nowMs);
  options.lastApplied?.written(raises);
  return stored;
}
