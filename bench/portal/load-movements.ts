/**
 * Writes the generated movements into the events table as fast as each
 * engine takes them: SQLite through one prepared statement in one
 * transaction, MariaDB as multi-row INSERTs of 1,000 rows with two in flight
 * (one commit each; a single huge transaction only grows the undo log).
 * No ANALYZE afterwards: the cloud never runs one, so the planners see what
 * they see in production.
 */
import { randomBytes } from 'node:crypto';
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import { backfillNewestEvent } from '../../cloud/src/store/migrations/008-depot-newest-event.js';
import { generateMovements, type MovementRow } from './movements.js';

const MYSQL_ROWS_PER_INSERT = 1_000;
const MYSQL_IN_FLIGHT = 2;
const PROGRESS_EVERY = 10_000;

export interface LoadedMovements {
  /** Movements per depot, in the order of the depots given. */
  readonly perDepot: readonly number[];
  readonly seconds: number;
}

export async function loadMovements(
  store: StoreDatabase,
  depots: ReadonlyArray<{ id: number; compartments: number }>,
  total: number,
  endMs: number,
  seed: number,
  onProgress: (done: number) => void,
): Promise<LoadedMovements> {
  const started = performance.now();
  const perDepot = new Array<number>(depots.length).fill(0);
  // One journal epoch per depot: the journal never restarted in these 90 days.
  const epochs = depots.map(() => randomBytes(8));
  const rows = generateMovements(depots, total, endMs, seed);
  const row = (m: MovementRow) => {
    perDepot[m.depotIndex] = (perDepot[m.depotIndex] ?? 0) + 1;
    return {
      depot_id: depots[m.depotIndex]?.id as number,
      journal_epoch: epochs[m.depotIndex] as Uint8Array,
      sequence: m.sequence,
      kind: m.kind,
      compartment: m.compartment,
      subject: m.subject,
      depot_time_ms: m.depotTimeMs,
      received_at_ms: m.receivedAtMs,
    };
  };

  if (store.sqlite) {
    const insert = store.sqlite.prepare(
      `INSERT INTO events (depot_id, journal_epoch, sequence, kind, compartment, subject, depot_time_ms, received_at_ms)
       VALUES (@depot_id, @journal_epoch, @sequence, @kind, @compartment, @subject, @depot_time_ms, @received_at_ms)`,
    );
    store.sqlite.transaction(() => {
      let done = 0;
      for (const m of rows) {
        insert.run(row(m));
        if (++done % PROGRESS_EVERY === 0) onProgress(done);
      }
    })();
  } else {
    const pending = new Set<Promise<unknown>>();
    let batch: Array<ReturnType<typeof row>> = [];
    let done = 0;
    const flush = async () => {
      const write = store.db.insertInto('events').values(batch).execute();
      batch = [];
      pending.add(write);
      void write.finally(() => pending.delete(write));
      if (pending.size >= MYSQL_IN_FLIGHT) await Promise.race(pending);
    };
    for (const m of rows) {
      batch.push(row(m));
      if (++done % PROGRESS_EVERY === 0) onProgress(done);
      if (batch.length === MYSQL_ROWS_PER_INSERT) await flush();
    }
    if (batch.length > 0) await flush();
    await Promise.all(pending);
  }
  // The bulk insert bypasses the relay, which keeps each depot's newest arrival on its row.
  await backfillNewestEvent(store.db);
  onProgress(total);
  return { perDepot, seconds: (performance.now() - started) / 1000 };
}
