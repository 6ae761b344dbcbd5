import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../database.js';
import type { DepotSessionsTable, Schema } from '../schema.js';

// Row types of migrations/002-relay.ts, kept beside the relay's queries so that
// schema.ts (shared with the portal) stays the core's.

export interface RelayEventsTable {
  id: import('kysely').Generated<number>;
  depot_id: number;
  at_ms: number;
  kind: 'online' | 'offline' | 'protocol-violation';
  detail: import('kysely').Generated<string>;
}

export interface DepotStatusTable {
  depot_id: number;
  session_stamp: number;
  counter: number;
  received_at_ms: number;
  uptime_seconds: number;
  last_command_id: number;
  outbox_size: number;
  lockout_until_ms: number;
  failed_attempts: number;
  clock_known: number;
  firmware_version: string;
  compartments: Uint8Array;
  /** STATUS health flags: DEPOT_HEALTH (store/relay/status.ts). */
  health: number;
}

export interface EventHeadsTable {
  depot_id: number;
  journal_epoch: Uint8Array;
  contiguous_through: number;
}

export interface RelaySchema extends Omit<Schema, 'depot_sessions'> {
  depot_sessions: DepotSessionsTable & { stamp: import('kysely').Generated<number> };
  relay_events: RelayEventsTable;
  depot_status: DepotStatusTable;
  event_heads: EventHeadsTable;
}

/** The store's handle typed with the relay's tables (same connection, same migrations). */
export function relayDb(store: StoreDatabase): Kysely<RelaySchema> {
  return store.db as unknown as Kysely<RelaySchema>;
}

/** Numbers from either driver (SQLite may hand back bigint for large values, MySQL strings for sums). */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Bytes from either driver (Buffer is a Uint8Array). */
export function bytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(0);
}
