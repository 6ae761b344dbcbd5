import { existsSync } from 'node:fs';
import {
  type CommandResultFrame,
  type EventFrame,
  FrameKind,
  MAX_SUBJECT_BYTES,
  type OfflinePinSlot,
  ownerOnlySqliteFiles,
  slotValidity,
} from '@keydepot/shared';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import type { LockoutRecord, NewEvent, NewPin, PinRecord, StoredResult } from './records.js';

export interface OpenDepotStoreOptions {
  /** Creation time written with a new database (the wall clock is all there is then). */
  readonly nowMs?: number;
  /** Settings written only when the database is created (from the provisioning bundle). */
  readonly initialSettings?: Readonly<Record<string, string | number | boolean>>;
}

/** Acked events kept for diagnosis; older ones are deleted. */
const KEEP_ACKED_EVENTS = 1000;
/** Confirmed command results kept to answer repeats. */
const KEEP_CONFIRMED_RESULTS = 200;

interface PinRow {
  id: number;
  kind: number;
  compartment: number;
  valid_from_ms: number;
  valid_until_ms: number;
  schedule: string;
  spent_ms: number | null;
  revoked: number;
}

interface EventRow {
  sequence: number;
  epoch: string;
  time_ms: number;
  event: number;
  compartment: number;
  subject: string;
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * Times are INTEGER columns in STRICT tables: a fractional ms (performance.now(), a sped-up simulated clock)
 * would fail the insert with SQLITE_CONSTRAINT_DATATYPE, so the store floors every time it is given.
 */
const wholeMs = (ms: number): number => Math.floor(ms);

const toPin = (row: PinRow): PinRecord => ({
  id: row.id,
  kind: row.kind as PinRecord['kind'],
  compartment: row.compartment,
  validFromMs: row.valid_from_ms,
  validUntilMs: row.valid_until_ms,
  schedule: JSON.parse(row.schedule),
  spentMs: row.spent_ms ?? undefined,
  revoked: row.revoked === 1,
});

const toEvent = (row: EventRow): EventFrame => ({
  kind: FrameKind.Event,
  epoch: row.epoch,
  sequence: row.sequence,
  timeMs: row.time_ms,
  event: row.event as EventFrame['event'],
  compartment: row.compartment,
  subject: row.subject,
});

/**
 * The depot's durable state in one SQLite file (WAL, synchronous=FULL): PINs,
 * the event journal, command results, lockout, clock floor and config.
 * Every method is its own transaction; callers group several into one with
 * `transaction()` (better-sqlite3 nests them as savepoints), which is how an
 * event and its consequences commit together before the depot acts.
 */
export class DepotStore {
  /** The journal epoch: 16 hex digits made with the database. */
  readonly epoch: string;
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.epoch = (db.prepare('SELECT epoch FROM meta').get() as { epoch: string }).epoch;
    // Prepared once: the verdict path runs them on every typed PIN.
    this.s = {
      meta: db.prepare('SELECT last_sequence, last_command_id, clock_floor_ms FROM meta'),
      bumpSequence: db.prepare('UPDATE meta SET last_sequence = last_sequence + 1 RETURNING last_sequence'),
      insertEvent: db.prepare(
        'INSERT INTO journal (sequence, epoch, time_ms, event, compartment, subject) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      pending: db.prepare(
        'SELECT sequence, epoch, time_ms, event, compartment, subject FROM journal WHERE acked = 0 ORDER BY sequence LIMIT ?',
      ),
      ack: db.prepare('UPDATE journal SET acked = 1 WHERE acked = 0 AND sequence <= ?'),
      pruneAcked: db.prepare('DELETE FROM journal WHERE acked = 1 AND sequence <= ?'),
      outbox: db.prepare('SELECT COUNT(*) AS n FROM journal WHERE acked = 0'),
      raiseFloor: db.prepare('UPDATE meta SET clock_floor_ms = ? WHERE clock_floor_ms < ?'),
      pinsByMac: db.prepare(
        'SELECT id, kind, compartment, valid_from_ms, valid_until_ms, schedule, spent_ms, revoked FROM pins WHERE mac = ?',
      ),
      pinById: db.prepare(
        'SELECT id, kind, compartment, valid_from_ms, valid_until_ms, schedule, spent_ms, revoked FROM pins WHERE id = ?',
      ),
      upsertPin: db.prepare(
        `INSERT INTO pins (id, kind, compartment, mac, valid_from_ms, valid_until_ms, schedule)
         VALUES (@id, @kind, @compartment, @mac, @validFromMs, @validUntilMs, @schedule)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, compartment = excluded.compartment, mac = excluded.mac,
           valid_from_ms = excluded.valid_from_ms, valid_until_ms = excluded.valid_until_ms, schedule = excluded.schedule`,
      ),
      spendPin: db.prepare('UPDATE pins SET spent_ms = ? WHERE id = ? AND spent_ms IS NULL'),
      revokePin: db.prepare(
        `INSERT INTO pins (id, kind, compartment, mac, revoked) VALUES (?, 0, 0, NULL, 1)
         ON CONFLICT (id) DO UPDATE SET mac = NULL, revoked = 1`,
      ),
      pinCount: db.prepare('SELECT COUNT(*) AS n FROM pins WHERE revoked = 0'),
      revokeSlot: db.prepare(
        `INSERT OR IGNORE INTO revoked_slots (compartment, start_hour, duration_code, variant, until_ms)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      slotRevoked: db.prepare(
        'SELECT 1 FROM revoked_slots WHERE compartment = ? AND start_hour = ? AND duration_code = ? AND variant = ?',
      ),
      pruneSlots: db.prepare('DELETE FROM revoked_slots WHERE until_ms <= ?'),
      setLastCommand: db.prepare('UPDATE meta SET last_command_id = ?'),
      insertResult: db.prepare('INSERT OR REPLACE INTO command_results (id, status, detail) VALUES (?, ?, ?)'),
      result: db.prepare('SELECT id, status, detail FROM command_results WHERE id = ?'),
      unconfirmed: db.prepare('SELECT id, status, detail FROM command_results WHERE confirmed = 0 ORDER BY id'),
      confirm: db.prepare('UPDATE command_results SET confirmed = 1 WHERE id = ?'),
      pruneResults: db.prepare('DELETE FROM command_results WHERE confirmed = 1 AND id <= ?'),
      lockout: db.prepare('SELECT failed_attempts, level, until_ms FROM lockout'),
      setLockout: db.prepare('UPDATE lockout SET failed_attempts = ?, level = ?, until_ms = ?'),
      config: db.prepare('SELECT key, value FROM config'),
      setConfig: db.prepare('INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)'),
    };
  }

  /** Runs `work` in one IMMEDIATE transaction (a savepoint when nested): all of it commits, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  // --- journal ---------------------------------------------------------------

  /**
   * Appends an event with the next sequence and raises the clock floor to its
   * time, so journaled times never run backwards across reboots.
   */
  journal(event: NewEvent): EventFrame {
    // An over-long subject would make the codec refuse the frame and jam the outbox for good.
    const subject = clipUtf8(event.subject, MAX_SUBJECT_BYTES);
    const timeMs = wholeMs(event.timeMs);
    return this.transaction(() => {
      const { last_sequence: sequence } = this.s.bumpSequence.get() as { last_sequence: number };
      this.s.insertEvent.run(sequence, this.epoch, timeMs, event.event, event.compartment, subject);
      if (timeMs > 0) this.s.raiseFloor.run(timeMs, timeMs);
      return { kind: FrameKind.Event, epoch: this.epoch, sequence, ...event, timeMs, subject };
    });
  }

  /** Unacknowledged events, oldest first. */
  pendingEvents(limit: number): EventFrame[] {
    return (this.s.pending.all(limit) as EventRow[]).map(toEvent);
  }

  /** Cumulative ack (protocol §11): marks every event up to `sequence`; another epoch's ack is ignored. */
  acknowledgeEvents(epoch: string, sequence: number): void {
    if (epoch !== this.epoch) return;
    this.transaction(() => {
      this.s.ack.run(sequence);
      this.s.pruneAcked.run(sequence - KEEP_ACKED_EVENTS);
    });
  }

  outboxSize(): number {
    return (this.s.outbox.get() as { n: number }).n;
  }

  /** Highest sequence journaled (0 = none). */
  lastSequence(): number {
    return (this.s.meta.get() as { last_sequence: number }).last_sequence;
  }

  // --- clock floor -------------------------------------------------------------

  clockFloorMs(): number {
    return (this.s.meta.get() as { clock_floor_ms: number }).clock_floor_ms;
  }

  /** Raises the persisted floor; a lower value is ignored (the floor never goes back). */
  raiseClockFloor(ms: number): void {
    const floor = wholeMs(ms);
    this.s.raiseFloor.run(floor, floor);
  }

  // --- PINs --------------------------------------------------------------------

  /** Stored PINs whose MAC equals `mac` (one index lookup); revoked ones have no MAC and never match. */
  pinsByMac(mac: Uint8Array): PinRecord[] {
    return (this.s.pinsByMac.all(mac) as PinRow[]).map(toPin);
  }

  pin(id: number): PinRecord | undefined {
    const row = this.s.pinById.get(id) as PinRow | undefined;
    return row === undefined ? undefined : toPin(row);
  }

  /** Adds or replaces a PIN (replacing also clears nothing but its rules and MAC; spent stays spent). */
  putPin(pin: NewPin): void {
    this.s.upsertPin.run({
      id: pin.id,
      kind: pin.kind,
      compartment: pin.compartment,
      mac: Buffer.from(pin.mac),
      validFromMs: pin.validFromMs,
      validUntilMs: pin.validUntilMs,
      schedule: JSON.stringify(pin.schedule),
    });
  }

  /** Marks a one-time PIN used; false when it already was (it must not open twice). */
  spendPin(id: number, atMs: number): boolean {
    return this.s.spendPin.run(wholeMs(atMs), id).changes === 1;
  }

  /** Revokes a PIN id, known or not (a tombstone row refuses a later add of that id). */
  revokePin(id: number): void {
    this.s.revokePin.run(id);
  }

  /** PINs that can still open (not revoked). */
  pinCount(): number {
    return (this.s.pinCount.get() as { n: number }).n;
  }

  /** Keeps an offline slot refused until its validity ends (protocol §14). */
  revokeSlot(slot: OfflinePinSlot): void {
    const { untilMs } = slotValidity(slot);
    this.s.revokeSlot.run(slot.compartment, slot.startHour, slot.durationCode, slot.variant, untilMs);
  }

  isSlotRevoked(slot: OfflinePinSlot): boolean {
    return this.s.slotRevoked.get(slot.compartment, slot.startHour, slot.durationCode, slot.variant) !== undefined;
  }

  /** Forgets revocations of slots that ended before `nowMs`. */
  pruneRevokedSlots(nowMs: number): void {
    this.s.pruneSlots.run(nowMs);
  }

  // --- commands ------------------------------------------------------------------

  lastCommandId(): number {
    return (this.s.meta.get() as { last_command_id: number }).last_command_id;
  }

  /** Records a handled command: the new last applied id and its result, in one transaction. */
  recordCommand(result: StoredResult): void {
    this.transaction(() => {
      this.s.setLastCommand.run(result.id);
      this.s.insertResult.run(result.id, result.status, result.detail);
    });
  }

  commandResult(id: number): CommandResultFrame | undefined {
    const row = this.s.result.get(id) as StoredResult | undefined;
    return row === undefined ? undefined : { kind: FrameKind.CommandResult, ...row };
  }

  unconfirmedResults(): CommandResultFrame[] {
    return (this.s.unconfirmed.all() as StoredResult[]).map((row) => ({ kind: FrameKind.CommandResult, ...row }));
  }

  confirmResults(ids: readonly number[]): void {
    this.transaction(() => {
      for (const id of ids) this.s.confirm.run(id);
      this.s.pruneResults.run(this.lastCommandId() - KEEP_CONFIRMED_RESULTS);
    });
  }

  // --- lockout and config --------------------------------------------------------

  lockout(): LockoutRecord {
    const row = this.s.lockout.get() as { failed_attempts: number; level: number; until_ms: number };
    return { failedAttempts: row.failed_attempts, level: row.level, untilMs: row.until_ms };
  }

  setLockout(state: LockoutRecord): void {
    // Rounded up: a lockout may end a little late, never early.
    this.s.setLockout.run(state.failedAttempts, state.level, Math.ceil(state.untilMs));
  }

  /** Stored CONFIG values (JSON-decoded); defaults live in depot/settings.ts. */
  config(): Record<string, string | number | boolean> {
    const values: Record<string, string | number | boolean> = {};
    for (const row of this.s.config.all() as { key: string; value: string }[]) values[row.key] = JSON.parse(row.value);
    return values;
  }

  setConfig(values: Readonly<Record<string, string | number | boolean>>): void {
    this.transaction(() => {
      for (const [key, value] of Object.entries(values)) this.s.setConfig.run(key, JSON.stringify(value));
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }
}

/**
 * Opens (creating if needed) the depot database at `path` with WAL,
 * synchronous=FULL and foreign keys, and migrates it to the newest schema.
 * synchronous=FULL makes every commit durable before it returns: the journal's
 * promise "committed before acted on" survives a power cut.
 */
/**
 * The CONFIG values stored in a depot's database, read without writing (no migration, no WAL checkpoint),
 * for tools that run beside or instead of the daemon; undefined when there is no database yet.
 */
export function readStoredConfig(path: string): Record<string, string | number | boolean> | undefined {
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const values: Record<string, string | number | boolean> = {};
    for (const row of db.prepare('SELECT key, value FROM config').all() as { key: string; value: string }[]) {
      values[row.key] = JSON.parse(row.value);
    }
    return values;
  } finally {
    db.close();
  }
}

export function openDepotStore(path: string, options: OpenDepotStoreOptions = {}): DepotStore {
  // The journal and the PINs' MACs: owner only from the first byte, -wal and -shm too (docs/operations.md, "File modes").
  if (path !== '' && path !== ':memory:') ownerOnlySqliteFiles(path);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // A second process (status CLI) may hold a read lock briefly.
    db.pragma('busy_timeout = 5000');
    migrate(db, { nowMs: wholeMs(options.nowMs ?? Date.now()), initialSettings: options.initialSettings });
    return new DepotStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}
