import { fromHex } from '@keydepot/shared';
import type Database from 'better-sqlite3';
import type { CommandState } from '../schema.js';
import { RESULT_STATE } from './commands.js';
import { eventHeadKey, SCAN_WINDOW } from './event-ingest.js';
import type { PresenceChange } from './presence.js';
import {
  COMMAND_AUDIT_SQL,
  type CommandStateChange,
  commandAuditParams,
  DEPOT_ORGANISATION_SQL,
} from './relay-audit.js';
import { num } from './relay-schema.js';
import {
  compartmentRows,
  type DepotStatusUpdate,
  newestPerDepot,
  planStatuses,
  STATUS_COLUMNS,
  STORED_COLUMNS,
  type StoredStatusRow,
} from './status.js';
import {
  ackFrames,
  type BatchArgs,
  type CounterBlock,
  type StoredBatch,
  type StoredBatchWithTail,
  statusUpdates,
  type Uplink,
} from './uplinks-plan.js';

// The SQLite path of the uplink batch: better-sqlite3 statements prepared once
// per database handle and reused by every batch, run synchronously inside one
// BEGIN IMMEDIATE … COMMIT. No query building, no prepare per batch, no
// promise per statement: at 32 uplinks per batch that was a third of the
// relay's CPU. One small statement per row: with the statement cached, a row
// costs a bind and a step, less than building and parsing a JSON parameter.
// The MySQL/MariaDB path is uplinks-mysql.ts; storeUplinks (uplinks.ts) picks one.

function prepareAll(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const statusUpdate = STATUS_COLUMNS.filter((c) => c !== 'depot_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return {
    seen: p('UPDATE depots SET last_seen_ms = ? WHERE id = ? AND (last_seen_ms IS NULL OR last_seen_ms < ?)'),
    offlineOrg: p('SELECT organisation_id FROM depots WHERE id = ? AND online = 0'),
    claimOnline: p('UPDATE depots SET online = 1 WHERE id = ? AND online = 0'),
    relayEvent: p('INSERT INTO relay_events (depot_id, at_ms, kind, detail) VALUES (?, ?, ?, ?)'),
    audit: p(`INSERT INTO audit_log (at_ms, actor, action, organisation_id, depot_id, subject, before_json, after_json)
      VALUES (?, 'relay', ?, ?, ?, ?, ?, ?)`),
    progress: p(`UPDATE depot_sessions SET receive_counter_highest = ?, endpoint = ?
      WHERE session_id = ? AND receive_counter_highest < ?`),
    confirm: p('UPDATE depot_sessions SET confirmed_at_ms = ? WHERE session_id = ? AND confirmed_at_ms IS NULL'),
    newestEvent: p('UPDATE depots SET last_event_ms = ? WHERE id = ? AND (last_event_ms IS NULL OR last_event_ms < ?)'),
    event: p(`INSERT OR IGNORE INTO events
      (depot_id, journal_epoch, sequence, kind, compartment, subject, depot_time_ms, received_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    head: p('SELECT contiguous_through FROM event_heads WHERE depot_id = ? AND journal_epoch = ?').pluck(),
    sequences:
      p(`SELECT sequence FROM events WHERE depot_id = ? AND journal_epoch = ? AND sequence > ? AND sequence <= ?
      ORDER BY sequence`).pluck(),
    raiseHead: p(`INSERT INTO event_heads (depot_id, journal_epoch, contiguous_through) VALUES (?, ?, ?)
      ON CONFLICT (depot_id, journal_epoch) DO UPDATE SET contiguous_through = excluded.contiguous_through
      WHERE event_heads.contiguous_through < excluded.contiguous_through`),
    storedStatus: p(`SELECT ${STORED_COLUMNS} FROM depot_status WHERE depot_id = ?`),
    status:
      p(`INSERT INTO depot_status (${STATUS_COLUMNS.join(', ')}) VALUES (${STATUS_COLUMNS.map(() => '?').join(', ')})
      ON CONFLICT (depot_id) DO UPDATE SET ${statusUpdate}`),
    compartment:
      p(`INSERT INTO compartments (depot_id, number, door_open, key_present, has_key_sensor, locked, updated_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (depot_id, number) DO UPDATE SET door_open = excluded.door_open,
      key_present = excluded.key_present, has_key_sensor = excluded.has_key_sensor, locked = excluded.locked,
      updated_at_ms = excluded.updated_at_ms`),
    firmware: p('UPDATE depots SET firmware_version = ? WHERE id = ?'),
    result: p(`UPDATE commands SET state = ?, finished_at_ms = ?, result_detail = ?
      WHERE depot_id = ? AND id = ? AND state IN ('queued', 'sent')`),
    lastApplied: p('UPDATE depots SET last_applied_command_id = ? WHERE id = ? AND last_applied_command_id < ?'),
    sent: p(`UPDATE commands SET state = 'sent', sent_at_ms = ? WHERE depot_id = ? AND id = ? AND state = 'queued'`),
    commandAudit: p(COMMAND_AUDIT_SQL),
    organisation: p(DEPOT_ORGANISATION_SQL).pluck(),
    reserve: p(`UPDATE depot_sessions SET send_counter_reserved = send_counter_reserved + ? WHERE session_id = ?
      RETURNING send_counter_reserved`).pluck(),
  };
}

type Statements = ReturnType<typeof prepareAll>;

/** A handle's statements and its batch transaction, made on first use and kept for the handle's life. */
const perHandle = new WeakMap<Database.Database, (args: BatchArgs) => StoredBatchWithTail>();

/** The batch writer of `db`: a better-sqlite3 transaction function (call it with `.immediate`). */
export function sqliteBatchWriter(db: Database.Database): (args: BatchArgs) => StoredBatchWithTail {
  let writer = perHandle.get(db);
  if (!writer) {
    const s = prepareAll(db);
    const tx = db.transaction((args: BatchArgs) => writeBatch(s, args));
    writer = (args) => {
      // A transaction still open here would make ours a savepoint inside someone else's: never commit-then-ack.
      if (db.inTransaction) throw new Error('uplink batch inside an open transaction');
      return tx.immediate(args);
    };
    perHandle.set(db, writer);
  }
  return writer;
}

function markSeen(s: Statements, depotIds: readonly number[], nowMs: number): PresenceChange[] {
  const changes: PresenceChange[] = [];
  for (const id of depotIds) {
    s.seen.run(nowMs, id, nowMs);
    const offline = s.offlineOrg.get(id) as { organisation_id: number } | undefined;
    if (!offline) continue;
    if (s.claimOnline.run(id).changes !== 1) continue;
    s.relayEvent.run(id, nowMs, 'online', 'first telegram after being offline');
    s.audit.run(
      nowMs,
      'depot.online',
      offline.organisation_id,
      id,
      `depot ${id}`,
      JSON.stringify({ online: 0 }),
      JSON.stringify({ online: 1 }),
    );
    changes.push({ depotId: id, kind: 'online', atMs: nowMs });
  }
  return changes;
}

function writeBatch(
  s: Statements,
  { uplinks, seen, lastApplied, raises, nowMs, tail }: BatchArgs,
): StoredBatchWithTail {
  const presence = markSeen(s, seen, nowMs);

  // Receive counter and endpoint only forward, from the newest counter per session.
  const newest = new Map<number, Uplink>();
  for (const u of uplinks) {
    const n = newest.get(u.sessionId);
    if (!n || u.counter > n.counter) newest.set(u.sessionId, u);
  }
  const highest = new Map<number, number>();
  for (const u of newest.values()) {
    if (s.progress.run(u.counter, u.endpoint, u.sessionId, u.counter).changes === 1)
      highest.set(u.sessionId, u.counter);
  }
  for (const u of uplinks) if (u.confirms) s.confirm.run(nowMs, u.sessionId);

  let eventsInserted = 0;
  const withNewEvents = new Set<number>();
  const pairs = new Map<string, { depotId: number; epoch: string; bytes: Uint8Array }>();
  for (const u of uplinks) {
    for (const f of u.events) {
      const k = eventHeadKey(u.depotId, f.epoch);
      let pair = pairs.get(k);
      if (!pair) {
        pair = { depotId: u.depotId, epoch: f.epoch, bytes: fromHex(f.epoch) };
        pairs.set(k, pair);
      }
      const inserted = s.event.run(
        u.depotId,
        pair.bytes,
        f.sequence,
        f.event,
        f.compartment,
        f.subject,
        f.timeMs,
        nowMs,
      ).changes;
      eventsInserted += inserted;
      if (inserted > 0) withNewEvents.add(u.depotId);
    }
  }
  // The depot's newest arrival (migration 008), only where an event was new: a duplicate changes nothing.
  for (const depotId of withNewEvents) s.newestEvent.run(nowMs, depotId, nowMs);
  // The cumulative ack from the stored rows (another relay may have stored some of them).
  const heads = new Map<string, number>();
  for (const [k, p] of pairs) {
    const stored = s.head.get(p.depotId, p.bytes) as number | undefined;
    const before = stored === undefined ? 0 : num(stored);
    let head = before;
    for (const sequence of s.sequences.iterate(p.depotId, p.bytes, head, head + SCAN_WINDOW) as Iterable<number>) {
      if (num(sequence) !== head + 1) break;
      head++;
    }
    heads.set(k, head);
    if (head > before) s.raiseHead.run(p.depotId, p.bytes, head);
  }
  const acks = ackFrames(uplinks, heads);

  storeStatuses(s, statusUpdates(uplinks, highest), nowMs);

  const commandStates: CommandState[] = [];
  for (const u of uplinks) {
    for (const r of u.results) {
      const state = RESULT_STATE[r.status];
      if (s.result.run(state, nowMs, r.detail, u.depotId, r.id).changes === 1) {
        commandStates.push(state);
        auditCommand(s, { depotId: u.depotId, id: r.id, to: state, detail: r.detail, nowMs });
      }
    }
  }
  for (const [depotId, id] of raises) s.lastApplied.run(id, depotId, id);

  const stored: StoredBatch = { acks, eventsInserted, presence, commandStates, lastApplied };
  const blocks: (CounterBlock | undefined)[] = [];
  if (tail) {
    const t = tail(stored);
    for (const [depotId, ids] of t.markSent) {
      for (const id of ids) {
        if (s.sent.run(nowMs, depotId, id).changes !== 1) continue;
        auditCommand(s, { depotId, id, to: 'sent', detail: null, nowMs });
      }
    }
    for (const r of t.reserve) {
      const end = s.reserve.get(r.count, r.sessionId) as number | undefined;
      blocks.push(end === undefined ? undefined : { start: num(end) - r.count, end: num(end) });
    }
  }
  return { ...stored, blocks };
}

/** A command's state change, audited in the batch's transaction (rare: only when commands move). */
function auditCommand(s: Statements, change: CommandStateChange): void {
  const organisationId = s.organisation.get(change.depotId) as number | undefined;
  s.commandAudit.run(...commandAuditParams(change, organisationId ?? null));
}

function storeStatuses(s: Statements, updates: readonly DepotStatusUpdate[], nowMs: number): void {
  if (updates.length === 0) return;
  const newest = newestPerDepot(updates);
  const plan = planStatuses(newest, (id) => s.storedStatus.get(id) as StoredStatusRow | undefined, nowMs);
  for (const r of plan.rows) {
    s.status.run(
      r.depot_id,
      r.session_stamp,
      r.counter,
      r.received_at_ms,
      r.uptime_seconds,
      r.last_command_id,
      r.outbox_size,
      r.lockout_until_ms,
      r.failed_attempts,
      r.clock_known,
      r.firmware_version,
      r.compartments,
    );
  }
  for (const c of plan.changedCompartments) {
    for (const r of compartmentRows(c.depotId, c.states, nowMs)) {
      s.compartment.run(r.depot_id, r.number, r.door_open, r.key_present, r.has_key_sensor, r.locked, r.updated_at_ms);
    }
  }
  for (const f of plan.changedFirmware) s.firmware.run(f.version, f.depotId);
}
