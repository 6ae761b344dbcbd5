import type { StatusFrame } from '@keydepot/shared';
import { type Kysely, sql } from 'kysely';
import { byPrimaryKey, idsIn, mysqlRows } from './batch-sql.js';
import { bytes, type DepotStatusTable, num, type RelaySchema } from './relay-schema.js';

/** One depot_status row; what is stored and what a batch writes have the same shape. */
export type StatusRow = DepotStatusTable;
export type StoredStatusRow = DepotStatusTable;

export const STORED_COLUMNS =
  'depot_id, session_stamp, counter, received_at_ms, uptime_seconds, last_command_id, outbox_size, lockout_until_ms, failed_attempts, clock_known, compartments, firmware_version';

/** An unchanged STATUS is written again at least this often, so received_at_ms lags by at most this. */
const UNCHANGED_REWRITE_MS = 1_000;

/**
 * The stored row already says everything this STATUS says, on the same
 * session, and was written recently: skipping the write leaves the stored
 * order (stamp, counter) behind this one, which is safe because only the
 * newest stored telegram of a session may write a STATUS (storeUplinks): an
 * older one of this session is refused by its counter, one of an older session
 * by the stamp.
 */
function unchanged(old: StoredStatusRow, u: DepotStatusUpdate, states: Uint8Array, nowMs: number): boolean {
  const f = u.frame;
  return (
    num(old.session_stamp) === u.sessionStamp &&
    nowMs - num(old.received_at_ms) < UNCHANGED_REWRITE_MS &&
    num(old.uptime_seconds) === f.uptimeSeconds &&
    num(old.last_command_id) === f.lastCommandId &&
    num(old.outbox_size) === f.outboxSize &&
    num(old.lockout_until_ms) === f.lockoutUntilMs &&
    num(old.failed_attempts) === f.failedAttempts &&
    num(old.clock_known) === (f.clockKnown ? 1 : 0) &&
    old.firmware_version === f.firmwareVersion &&
    sameBytes(bytes(old.compartments), states)
  );
}

export interface DepotStatusUpdate {
  readonly depotId: number;
  /** The handshake stamp of the session it came on, then its counter: the order of STATUS frames. */
  readonly sessionStamp: number;
  readonly counter: number;
  readonly frame: StatusFrame;
}

function compartmentBytes(frame: StatusFrame): Uint8Array {
  return Uint8Array.from(
    frame.compartments.map(
      (c) => (c.doorOpen ? 1 : 0) | (c.keyPresent ? 2 : 0) | (c.keySensor ? 4 : 0) | (c.locked ? 8 : 0),
    ),
  );
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The newest update per depot among `updates`, by (session stamp, counter). */
export function newestPerDepot(updates: readonly DepotStatusUpdate[]): Map<number, DepotStatusUpdate> {
  const newest = new Map<number, DepotStatusUpdate>();
  for (const u of updates) {
    const seen = newest.get(u.depotId);
    if (
      !seen ||
      u.sessionStamp > seen.sessionStamp ||
      (u.sessionStamp === seen.sessionStamp && u.counter > seen.counter)
    ) {
      newest.set(u.depotId, u);
    }
  }
  return newest;
}

export interface StatusPlan {
  readonly rows: StatusRow[];
  readonly changedCompartments: { depotId: number; states: Uint8Array }[];
  readonly changedFirmware: { depotId: number; version: string }[];
}

/**
 * What to write for the newest STATUS of each depot, given the stored rows:
 * only one newer than the stored row (by session stamp, then counter), not an
 * unchanged one written within the last second; compartments and firmware
 * only where they changed. Both engines write exactly this plan.
 */
export function planStatuses(
  newest: ReadonlyMap<number, DepotStatusUpdate>,
  stored: (depotId: number) => StoredStatusRow | undefined,
  nowMs: number,
): StatusPlan {
  const rows: StatusRow[] = [];
  const changedCompartments: { depotId: number; states: Uint8Array }[] = [];
  const changedFirmware: { depotId: number; version: string }[] = [];
  for (const u of newest.values()) {
    const old = stored(u.depotId);
    if (old) {
      const oldStamp = num(old.session_stamp);
      const newer = u.sessionStamp > oldStamp || (u.sessionStamp === oldStamp && u.counter > num(old.counter));
      if (!newer) continue;
    }
    const states = compartmentBytes(u.frame);
    if (old && unchanged(old, u, states, nowMs)) continue;
    if (!old || !sameBytes(bytes(old.compartments), states)) changedCompartments.push({ depotId: u.depotId, states });
    if (!old || old.firmware_version !== u.frame.firmwareVersion) {
      changedFirmware.push({ depotId: u.depotId, version: u.frame.firmwareVersion });
    }
    rows.push({
      depot_id: u.depotId,
      session_stamp: u.sessionStamp,
      counter: u.counter,
      received_at_ms: nowMs,
      uptime_seconds: u.frame.uptimeSeconds,
      last_command_id: u.frame.lastCommandId,
      outbox_size: u.frame.outboxSize,
      lockout_until_ms: u.frame.lockoutUntilMs,
      failed_attempts: u.frame.failedAttempts,
      clock_known: u.frame.clockKnown ? 1 : 0,
      firmware_version: u.frame.firmwareVersion,
      compartments: states,
    });
  }
  return { rows, changedCompartments, changedFirmware };
}

/** Column names of depot_status in StatusRow order; the SQLite path binds them positionally. */
export const STATUS_COLUMNS = [
  'depot_id',
  'session_stamp',
  'counter',
  'received_at_ms',
  'uptime_seconds',
  'last_command_id',
  'outbox_size',
  'lockout_until_ms',
  'failed_attempts',
  'clock_known',
  'firmware_version',
  'compartments',
] as const;

/** One compartments row per compartment: door, key, sensor, lock bits of the STATUS byte. */
export function compartmentRows(depotId: number, states: Uint8Array, nowMs: number) {
  return [...states].map((b, i) => ({
    depot_id: depotId,
    number: i + 1,
    door_open: b & 1,
    key_present: (b >> 1) & 1,
    has_key_sensor: (b >> 2) & 1,
    locked: (b >> 3) & 1,
    updated_at_ms: nowMs,
  }));
}

/**
 * The MySQL/MariaDB batch's STATUS writes (uplinks-sqlite.ts writes the same
 * plan on SQLite): the stored rows are read with row locks, so two relays
 * storing a STATUS of the same depot decide one after the other, and the plan
 * (planStatuses) is written in one multi-row upsert. Compartments and the
 * firmware version only where they changed: a steady check-in costs one
 * statement for the whole batch.
 */
export async function storeStatusesMysql(
  trx: Kysely<RelaySchema>,
  updates: readonly DepotStatusUpdate[],
  nowMs: number,
): Promise<void> {
  if (updates.length === 0) return;
  const newest = newestPerDepot(updates);
  const selected = await sql<StoredStatusRow>`SELECT ${sql.raw(STORED_COLUMNS)}
    FROM depot_status${byPrimaryKey('mysql')} WHERE depot_id IN ${idsIn('mysql', [...newest.keys()])} FOR UPDATE`.execute(
    trx,
  );
  const stored = new Map(selected.rows.map((r) => [num(r.depot_id), r]));
  const { rows, changedCompartments, changedFirmware } = planStatuses(newest, (id) => stored.get(id), nowMs);
  if (rows.length === 0) return;
  const updated = STATUS_COLUMNS.filter((c) => c !== 'depot_id');
  await sql`INSERT INTO depot_status (${sql.raw(STATUS_COLUMNS.join(', '))})
    VALUES ${mysqlRows(rows.map((r) => STATUS_COLUMNS.map((c) => r[c])))}
    ON DUPLICATE KEY UPDATE ${sql.raw(updated.map((c) => `${c} = VALUES(${c})`).join(', '))}`.execute(trx);
  await storeCompartments(trx, changedCompartments, nowMs);
  for (const f of changedFirmware) {
    await trx.updateTable('depots').set({ firmware_version: f.version }).where('id', '=', f.depotId).execute();
  }
}

async function storeCompartments(
  trx: Kysely<RelaySchema>,
  changed: readonly { depotId: number; states: Uint8Array }[],
  nowMs: number,
): Promise<void> {
  const rows = changed.flatMap(({ depotId, states }) => compartmentRows(depotId, states, nowMs));
  if (rows.length === 0) return;
  const columns = ['door_open', 'key_present', 'has_key_sensor', 'locked', 'updated_at_ms'];
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('compartments')
      .values(rows.slice(i, i + 500))
      .onDuplicateKeyUpdate(Object.fromEntries(columns.map((c) => [c, sql.raw(`VALUES(${c})`)])))
      .execute();
  }
}
