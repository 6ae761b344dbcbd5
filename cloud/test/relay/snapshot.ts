import { sql } from 'kysely';
import type { StoreDatabase } from '../../src/store/database.js';

const TABLES = [
  'depots',
  'depot_sessions',
  'events',
  'event_heads',
  'commands',
  'compartments',
  'depot_status',
  'relay_events',
  'audit_log',
];

/** Every row of the tables the relay writes, as text: equal snapshots mean no write happened. */
export async function snapshotStore(store: StoreDatabase): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(store.db);
    const text = rows.rows.map((row) =>
      JSON.stringify(row, (_k, v) =>
        v instanceof Uint8Array || (v && v.type === 'Buffer') ? Buffer.from(v).toString('hex') : v,
      ),
    );
    parts.push(`${table}:${text.sort().join('\n')}`);
  }
  return parts.join('\n\n');
}
