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
import { HeldWrites, isUnwritable, StoreFullError } from './held-writes.js';
import { migrate } from './migrations.js';
import type { LockoutRecord, NewEvent, NewPin, PinRecord, StoredResult } from './records.js';

export interface OpenDepotStoreOptions {
  /** Creation time written with a new database (the wall clock is all there is then). */
  readonly nowMs?: number;
  /** Settings written only when the database is created (from the provisioning bundle). */
  readonly initialSettings?: Readonly<Record<string, string | number | boolean>>;
  /** Told when a normal open failed for a full disk and the store was opened in exclusive locking mode. */
  readonly onExclusiveOpen?: (error: unknown) => void;
}

/** Acked events kept for diagnosis; older ones are deleted. */
const KEEP_ACKED_EVENTS = 1000;
/** Confirmed command results kept to answer repeats. */
const KEEP_CONFIRMED_RESULTS = 200;
/** What prune() keeps of them when space is short: a repeat is rarely older than a few commands. */
const KEEP_RESULTS_WHEN_FULL = 20;

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
  /** Called once each time a write fails for a full disk and the store starts holding writes in memory. */
  onUnwritable: (error: unknown) => void = () => {};
  private readonly s;
  /** Set while the disk is full: the depot's decisions wait here (held-writes.ts). */
  private held: HeldWrites | undefined;
  private depth = 0;

  constructor(private readonly db: Database.Database) {
    this.epoch = (db.prepare('SELECT epoch FROM meta').get() as { epoch: string }).epoch;
    // Prepared once: the verdict path runs them on every typed PIN.
    this.s = {
      meta: db.prepare('SELECT last_sequence, last_command_id, clock_floor_ms FROM meta'),
      lastSequenceRow: db.prepare('SELECT last_sequence FROM meta').pluck(),
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

  /**
   * Runs `work` in one IMMEDIATE transaction (a savepoint when nested): all of it commits, or none.
   * When the disk is full the transaction rolls back whole and `work` runs again against memory
   * (journal, spendPin, setLockout and the clock floor are held; commands throw StoreFullError),
   * so a decision the keypad made is never lost for want of space, only delayed.
   */
  transaction<T>(work: () => T): T {
    if (this.held) return work();
    this.depth++;
    try {
      return this.db.transaction(work).immediate();
    } catch (error) {
      if (this.depth > 1 || !isUnwritable(error)) throw error;
      this.startHolding(error);
      return work();
    } finally {
      this.depth--;
    }
  }

  /** True while writes are held in memory (the disk was full at the last attempt). */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Events held in memory, and those dropped because the bounded buffer was full. */
  heldCounts(): { events: number; dropped: number } {
    return { events: this.held?.events.length ?? 0, dropped: this.held?.dropped ?? 0 };
  }

  /**
   * Writes what was held, in one transaction, in the order it happened; true when nothing is held
   * any more. A disk still full keeps everything held (and answers false); other errors throw.
   */
  flush(): boolean {
    const held = this.held;
    if (held === undefined) return true;
    try {
      this.db
        .transaction(() => {
          for (const event of held.events) this.insertEvent(event);
          for (const [id, atMs] of held.spent) this.s.spendPin.run(atMs, id);
          if (held.lockout) this.writeLockout(held.lockout);
          if (held.floorMs > 0) this.s.raiseFloor.run(held.floorMs, held.floorMs);
        })
        .immediate();
    } catch (error) {
      if (isUnwritable(error)) return false;
      throw error;
    }
    this.held = undefined;
    return true;
  }

  /**
   * Frees what the depot may give up for space: acknowledged events (the cloud has them) and
   * confirmed results, then truncates the WAL. Freed pages are reused by the next writes.
   * Answers whether it could (a disk too full even for the deletion answers false).
   */
  prune(): boolean {
    try {
      this.db
        .transaction(() => {
          this.s.pruneAcked.run(this.s.lastSequenceRow.get() as number);
          this.s.pruneResults.run(this.lastCommandId() - KEEP_RESULTS_WHEN_FULL);
        })
        .immediate();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      return true;
    } catch (error) {
      if (isUnwritable(error)) return false;
      throw error;
    }
  }

  /** What is held, as JSON, or undefined when nothing is (see HeldWrites.toJson). */
  heldJson(): string | undefined {
    return this.held?.toJson();
  }

  /**
   * Takes over what an earlier run of the daemon held when it stopped on a full disk; it is
   * written with the next flush, before what this run holds.
   */
  adoptHeld(json: string): void {
    const held = this.held ?? new HeldWrites();
    held.adopt(json);
    this.held = held;
  }

  private startHolding(error: unknown): HeldWrites {
    const held = new HeldWrites();
    this.held = held;
    this.onUnwritable(error);
    return held;
  }

  /**
   * A single write outside a transaction: on disk, or held in memory while the disk is full.
   * Inside a transaction a full disk throws to the outermost one, which runs its work again held.
   */
  private write<T>(onDisk: () => T, held: (writes: HeldWrites) => T): T {
    if (this.held) return held(this.held);
    if (this.depth > 0) return onDisk();
    try {
      return onDisk();
    } catch (error) {
      if (!isUnwritable(error)) throw error;
      return held(this.startHolding(error));
    }
  }

  /** A write the depot cannot hold (a command's): refused while holding, so the cloud sends it again later. */
  private writeOrRefuse<T>(onDisk: () => T): T {
    return this.write(onDisk, () => {
      throw new StoreFullError('the disk is full: not written, try again later');
    });
  }

  /** An ack or confirmation: worth trying even while full (it lets prune free space); lost ones come again. */
  private writeIfPossible(onDisk: () => void): void {
    try {
      if (this.depth > 0) onDisk();
      else this.db.transaction(onDisk).immediate();
    } catch (error) {
      if (!isUnwritable(error)) throw error;
      if (!this.held) this.startHolding(error);
    }
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
    const clipped = { ...event, timeMs, subject };
    return this.write(
      () => {
        const sequence =
          this.depth > 0 ? this.insertEvent(clipped) : this.db.transaction(() => this.insertEvent(clipped)).immediate();
        return { kind: FrameKind.Event, epoch: this.epoch, sequence, ...clipped };
      },
      (held) => {
        held.holdEvent(clipped);
        if (timeMs > 0) held.raiseFloor(timeMs);
        // The sequence it will get: nothing else is journaled before the held events are written.
        return { kind: FrameKind.Event, epoch: this.epoch, sequence: this.lastSequence(), ...clipped };
      },
    );
  }

  /** Inserts an event with the next sequence and raises the floor to its time; the caller holds the transaction. */
  private insertEvent(event: NewEvent): number {
    const { last_sequence: sequence } = this.s.bumpSequence.get() as { last_sequence: number };
    this.s.insertEvent.run(sequence, this.epoch, event.timeMs, event.event, event.compartment, event.subject);
    if (event.timeMs > 0) this.s.raiseFloor.run(event.timeMs, event.timeMs);
    return sequence;
  }

  /** Unacknowledged events, oldest first. */
  pendingEvents(limit: number): EventFrame[] {
    return (this.s.pending.all(limit) as EventRow[]).map(toEvent);
  }

  /** Cumulative ack (protocol §11): marks every event up to `sequence`; another epoch's ack is ignored. */
  acknowledgeEvents(epoch: string, sequence: number): void {
    if (epoch !== this.epoch) return;
    this.writeIfPossible(() => {
      this.s.ack.run(sequence);
      this.s.pruneAcked.run(sequence - KEEP_ACKED_EVENTS);
    });
  }

  /** Events not yet acknowledged, held ones included. */
  outboxSize(): number {
    return (this.s.outbox.get() as { n: number }).n + (this.held?.events.length ?? 0);
  }

  /** Highest sequence journaled (0 = none); held events count, with the sequences they will get. */
  lastSequence(): number {
    return (this.s.meta.get() as { last_sequence: number }).last_sequence + (this.held?.events.length ?? 0);
  }

  // --- clock floor -------------------------------------------------------------

  clockFloorMs(): number {
    return Math.max((this.s.meta.get() as { clock_floor_ms: number }).clock_floor_ms, this.held?.floorMs ?? 0);
  }

  /** Raises the persisted floor; a lower value is ignored (the floor never goes back). */
  raiseClockFloor(ms: number): void {
    const floor = wholeMs(ms);
    this.write(
      () => {
        this.s.raiseFloor.run(floor, floor);
      },
      (held) => held.raiseFloor(floor),
    );
  }

  // --- PINs --------------------------------------------------------------------

  /** Stored PINs whose MAC equals `mac` (one index lookup); revoked ones have no MAC and never match. */
  pinsByMac(mac: Uint8Array): PinRecord[] {
    return (this.s.pinsByMac.all(mac) as PinRow[]).map((row) => this.withHeldSpend(toPin(row)));
  }

  pin(id: number): PinRecord | undefined {
    const row = this.s.pinById.get(id) as PinRow | undefined;
    return row === undefined ? undefined : this.withHeldSpend(toPin(row));
  }

  /** A one-time PIN spent while the disk was full is spent, written or not. */
  private withHeldSpend(pin: PinRecord): PinRecord {
    const spentMs = this.held?.spent.get(pin.id);
    return spentMs === undefined || pin.spentMs !== undefined ? pin : { ...pin, spentMs };
  }

  /** Adds or replaces a PIN (replacing also clears nothing but its rules and MAC; spent stays spent). */
  putPin(pin: NewPin): void {
    this.writeOrRefuse(() =>
      this.s.upsertPin.run({
        id: pin.id,
        kind: pin.kind,
        compartment: pin.compartment,
        mac: Buffer.from(pin.mac),
        validFromMs: pin.validFromMs,
        validUntilMs: pin.validUntilMs,
        schedule: JSON.stringify(pin.schedule),
      }),
    );
  }

  /** Marks a one-time PIN used; false when it already was (it must not open twice). */
  spendPin(id: number, atMs: number): boolean {
    return this.write(
      () => this.s.spendPin.run(wholeMs(atMs), id).changes === 1,
      (held) => {
        if (this.pin(id)?.spentMs !== undefined) return false;
        held.spent.set(id, wholeMs(atMs));
        return true;
      },
    );
  }

  /** Revokes a PIN id, known or not (a tombstone row refuses a later add of that id). */
  revokePin(id: number): void {
    this.writeOrRefuse(() => {
      this.s.revokePin.run(id);
    });
  }

  /** PINs that can still open (not revoked). */
  pinCount(): number {
    return (this.s.pinCount.get() as { n: number }).n;
  }

  /** Keeps an offline slot refused until its validity ends (protocol §14). */
  revokeSlot(slot: OfflinePinSlot): void {
    const { untilMs } = slotValidity(slot);
    this.writeOrRefuse(() =>
      this.s.revokeSlot.run(slot.compartment, slot.startHour, slot.durationCode, slot.variant, untilMs),
    );
  }

  isSlotRevoked(slot: OfflinePinSlot): boolean {
    return this.s.slotRevoked.get(slot.compartment, slot.startHour, slot.durationCode, slot.variant) !== undefined;
  }

  /** Forgets revocations of slots that ended before `nowMs`. */
  pruneRevokedSlots(nowMs: number): void {
    this.writeIfPossible(() => this.s.pruneSlots.run(nowMs));
  }

  // --- commands ------------------------------------------------------------------

  lastCommandId(): number {
    return (this.s.meta.get() as { last_command_id: number }).last_command_id;
  }

  /** Records a handled command: the new last applied id and its result, in one transaction. */
  recordCommand(result: StoredResult): void {
    this.writeOrRefuse(() =>
      this.depth > 0 ? this.insertCommand(result) : this.db.transaction(() => this.insertCommand(result)).immediate(),
    );
  }

  private insertCommand(result: StoredResult): void {
    this.s.setLastCommand.run(result.id);
    this.s.insertResult.run(result.id, result.status, result.detail);
  }

  commandResult(id: number): CommandResultFrame | undefined {
    const row = this.s.result.get(id) as StoredResult | undefined;
    return row === undefined ? undefined : { kind: FrameKind.CommandResult, ...row };
  }

  unconfirmedResults(): CommandResultFrame[] {
    return (this.s.unconfirmed.all() as StoredResult[]).map((row) => ({ kind: FrameKind.CommandResult, ...row }));
  }

  confirmResults(ids: readonly number[]): void {
    this.writeIfPossible(() => {
      for (const id of ids) this.s.confirm.run(id);
      this.s.pruneResults.run(this.lastCommandId() - KEEP_CONFIRMED_RESULTS);
    });
  }

  // --- lockout and config --------------------------------------------------------

  lockout(): LockoutRecord {
    if (this.held?.lockout) return this.held.lockout;
    const row = this.s.lockout.get() as { failed_attempts: number; level: number; until_ms: number };
    return { failedAttempts: row.failed_attempts, level: row.level, untilMs: row.until_ms };
  }

  setLockout(state: LockoutRecord): void {
    // Rounded up: a lockout may end a little late, never early.
    const rounded = { ...state, untilMs: Math.ceil(state.untilMs) };
    this.write(
      () => this.writeLockout(rounded),
      (held) => {
        held.lockout = rounded;
      },
    );
  }

  private writeLockout(state: LockoutRecord): void {
    this.s.setLockout.run(state.failedAttempts, state.level, state.untilMs);
  }

  /** Stored CONFIG values (JSON-decoded); defaults live in depot/settings.ts. */
  config(): Record<string, string | number | boolean> {
    const values: Record<string, string | number | boolean> = {};
    for (const row of this.s.config.all() as { key: string; value: string }[]) values[row.key] = JSON.parse(row.value);
    return values;
  }

  setConfig(values: Readonly<Record<string, string | number | boolean>>): void {
    const write = () => {
      for (const [key, value] of Object.entries(values)) this.s.setConfig.run(key, JSON.stringify(value));
    };
    this.writeOrRefuse(() => (this.depth > 0 ? write() : this.db.transaction(write).immediate()));
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
  try {
    return openWith(path, options, false);
  } catch (error) {
    if (!isUnwritable(error)) throw error;
    options.onExclusiveOpen?.(error);
    return openWith(path, options, true);
  }
}

/**
 * `exclusive`: a full disk cannot grow the WAL's shared-memory file, which a normal open needs
 * (SQLITE_IOERR_SHMSIZE); in exclusive locking mode SQLite keeps that index in heap memory, so
 * the depot still opens and serves stored PINs. Other processes cannot read the database then.
 */
function openWith(path: string, options: OpenDepotStoreOptions, exclusive: boolean): DepotStore {
  const db = new Database(path);
  try {
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
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
