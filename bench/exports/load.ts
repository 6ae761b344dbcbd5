/**
 * One depot with `count` movements spread evenly over November 2026 (its
 * local month, Europe/Berlin), every event kind and compartment in turn:
 * SQLite through one prepared statement in one transaction, MariaDB in
 * multi-row INSERTs of 1,000 rows.
 */
import { randomBytes } from 'node:crypto';
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import { createDepot } from '../../cloud/src/store/depots.js';
import { createOrganisation } from '../../cloud/src/store/organisations.js';

const FROM = Date.UTC(2026, 9, 31, 23, 0, 0);
const SPAN = 30 * 86_400_000 - 60_000;

export async function loadDepot(store: StoreDatabase, count: number, onProgress: (n: number) => void): Promise<number> {
  const org = await createOrganisation(store.db, { name: `Bench ${randomBytes(3).toString('hex')}`, nowMs: FROM });
  const depot = await createDepot(store.db, {
    organisationId: org.id,
    name: 'Bench depot',
    publicKey: new Uint8Array(randomBytes(32)),
    compartmentCount: 12,
    nowMs: FROM,
  });
  const epoch = randomBytes(8);
  const row = (i: number) => {
    const at = FROM + Math.floor((i * SPAN) / count);
    return {
      depot_id: depot.id,
      journal_epoch: epoch,
      sequence: i + 1,
      kind: (i % 14) + 1,
      compartment: (i % 12) + 1,
      subject: i % 3 === 0 ? `pin:${i}` : `Auftrag ${i} Kunde Müller`,
      depot_time_ms: at,
      received_at_ms: at + 700,
    };
  };
  if (store.sqlite) {
    const insert = store.sqlite.prepare(
      `INSERT INTO events (depot_id, journal_epoch, sequence, kind, compartment, subject, depot_time_ms, received_at_ms)
       VALUES (@depot_id, @journal_epoch, @sequence, @kind, @compartment, @subject, @depot_time_ms, @received_at_ms)`,
    );
    store.sqlite.transaction(() => {
      for (let i = 0; i < count; i++) {
        insert.run(row(i));
        if (i % 50_000 === 0) onProgress(i);
      }
    })();
  } else {
    for (let i = 0; i < count; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, count - i) }, (_, j) => row(i + j));
      await store.db.insertInto('events').values(batch).execute();
      if (i % 50_000 === 0) onProgress(i);
    }
  }
  return depot.id;
}
