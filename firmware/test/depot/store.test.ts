import { EventKind, PinKind } from '@keydepot/shared';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type DepotStore, openDepotStore } from '../../src/store/depot-store.js';
import { MIGRATIONS, SchemaVersionError } from '../../src/store/migrations.js';
import { tempDb } from './harness.js';

let db: ReturnType<typeof tempDb>;
let store: DepotStore | undefined;
afterEach(() => {
  store?.close();
  db?.remove();
});

const event = (subject: string) => ({ timeMs: 0, event: EventKind.DoorOpened, compartment: 1, subject });

describe('depot store', () => {
  it('is created with WAL, synchronous=FULL, foreign keys and a random 8-byte epoch', () => {
    db = tempDb();
    store = openDepotStore(db.path);
    expect(store.epoch).toMatch(/^[0-9a-f]{16}$/);
    const raw = new Database(db.path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    raw.close();
    const other = tempDb();
    const second = openDepotStore(other.path);
    expect(second.epoch).not.toBe(store.epoch);
    second.close();
    other.remove();
  });

  it('keeps everything across close and reopen', () => {
    db = tempDb();
    store = openDepotStore(db.path, { initialSettings: { language: 'en' } });
    const epoch = store.epoch;
    store.journal(event('a'));
    store.journal(event('b'));
    store.putPin({
      id: 3,
      kind: PinKind.Permanent,
      compartment: 2,
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [],
      mac: new Uint8Array(32).fill(1),
    });
    store.setLockout({ failedAttempts: 6, level: 2, untilMs: 99 });
    store.recordCommand({ id: 4, status: 0, detail: '' });
    store.raiseClockFloor(12345);
    store.close();
    store = openDepotStore(db.path, { initialSettings: { language: 'de' } });
    expect(store.epoch).toBe(epoch);
    expect(store.pendingEvents(10).map((e) => [e.sequence, e.subject])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(store.pinsByMac(new Uint8Array(32).fill(1)).map((p) => p.id)).toEqual([3]);
    expect(store.lockout()).toEqual({ failedAttempts: 6, level: 2, untilMs: 99 });
    expect(store.lastCommandId()).toBe(4);
    expect(store.clockFloorMs()).toBe(12345);
    expect(store.config()).toEqual({ language: 'en' });
  });

  it('numbers events from 1 by 1 and acks cumulatively; an ack for another epoch is ignored', () => {
    db = tempDb();
    store = openDepotStore(db.path);
    for (const s of ['a', 'b', 'c', 'd']) store.journal(event(s));
    expect(store.pendingEvents(2).map((e) => e.sequence)).toEqual([1, 2]);
    store.acknowledgeEvents('00000000deadbeef', 4);
    expect(store.outboxSize()).toBe(4);
    store.acknowledgeEvents(store.epoch, 2);
    expect(store.pendingEvents(10).map((e) => e.sequence)).toEqual([3, 4]);
    store.acknowledgeEvents(store.epoch, 1);
    expect(store.outboxSize()).toBe(2);
    store.acknowledgeEvents(store.epoch, 4);
    expect(store.outboxSize()).toBe(0);
    expect(store.journal(event('e')).sequence).toBe(5);
  });

  it('a rolled-back transaction leaves no event and no sequence gap', () => {
    db = tempDb();
    store = openDepotStore(db.path);
    const s = store;
    expect(() =>
      s.transaction(() => {
        s.journal(event('lost'));
        throw new Error('power cut stand-in');
      }),
    ).toThrow('power cut');
    expect(s.journal(event('kept')).sequence).toBe(1);
  });

  it('clips an over-long subject to 64 bytes of whole UTF-8 characters, so the codec never refuses it', () => {
    db = tempDb();
    store = openDepotStore(db.path);
    const frame = store.journal(event('ä'.repeat(40)));
    expect(frame.subject).toBe('ä'.repeat(32));
    expect(store.pendingEvents(1)[0].subject).toBe('ä'.repeat(32));
  });

  it('spends a one-time PIN only once', () => {
    db = tempDb();
    store = openDepotStore(db.path);
    store.putPin({
      id: 1,
      kind: PinKind.OneTime,
      compartment: 1,
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [],
      mac: new Uint8Array(32),
    });
    expect(store.spendPin(1, 10)).toBe(true);
    expect(store.spendPin(1, 20)).toBe(false);
    expect(store.pin(1)?.spentMs).toBe(10);
  });

  it('refuses a database made by newer firmware', () => {
    db = tempDb();
    const raw = new Database(db.path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDepotStore(db.path)).toThrow(SchemaVersionError);
  });
});
