/**
 * The store on a full disk (issue 19 item 1), on a real 1 MiB tmpfs (tests run
 * as root, as CI does): writes are held in memory and read back from there,
 * commands are refused, and flush writes what was held, in order, once space
 * returns.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventKind, PinKind } from '@keydepot/shared';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type DepotStore, openDepotStore } from '../../src/store/depot-store.js';
import { StoreFullError } from '../../src/store/held-writes.js';

let dir: string;
let mount: string;
let store: DepotStore | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keydepot-full-'));
  mount = join(dir, 'data');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
});

afterEach(() => {
  store?.close();
  execFileSync('umount', ['-l', mount]);
  rmSync(dir, { recursive: true, force: true });
});

function fillUp(file: string): void {
  for (const size of [16 * 1024, 1]) {
    try {
      for (;;) appendFileSync(file, Buffer.alloc(size, 0x41));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  }
}

const at = (timeMs: number, event: EventKind, subject: string) => ({ timeMs, event, compartment: 1, subject });

it('holds decisions in memory while the disk is full, answers from them, and writes them in order later', () => {
  store = openDepotStore(join(mount, 'depot.sqlite'));
  const full: unknown[] = [];
  store.onUnwritable = (error) => full.push(error);
  store.putPin({
    id: 7,
    kind: PinKind.OneTime,
    compartment: 1,
    mac: new Uint8Array(32).fill(7),
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  });
  store.journal(at(1_000, EventKind.Boot, 'v1'));
  const filler = join(mount, 'filler');
  fillUp(filler);

  // An accepted one-time PIN, as PinEntry commits it: one transaction, refused by the disk, held whole.
  store.transaction(() => {
    store?.journal(at(2_000, EventKind.PinAccepted, 'pin:7'));
    expect(store?.spendPin(7, 2_000)).toBe(true);
    store?.journal(at(2_000, EventKind.PinSpent, 'pin:7'));
  });
  expect(full).toHaveLength(1);
  expect(store.holding).toBe(true);
  // Spent, though not on disk: it cannot open twice.
  expect(store.pin(7)?.spentMs).toBe(2_000);
  expect(store.spendPin(7, 2_500)).toBe(false);
  // Wrong PINs still count.
  store.setLockout({ failedAttempts: 3, level: 0, untilMs: 0 });
  expect(store.lockout().failedAttempts).toBe(3);
  store.raiseClockFloor(9_000);
  expect(store.clockFloorMs()).toBe(9_000);
  expect(store.outboxSize()).toBe(3);
  expect(store.lastSequence()).toBe(3);
  // A command cannot be applied now: the cloud sends it again.
  expect(() => store?.revokePin(7)).toThrow(StoreFullError);
  expect(store.flush()).toBe(false);

  rmSync(filler);
  expect(store.flush()).toBe(true);
  expect(store.holding).toBe(false);
  expect(store.pendingEvents(10).map((e) => [e.sequence, e.event, e.timeMs])).toEqual([
    [1, EventKind.Boot, 1_000],
    [2, EventKind.PinAccepted, 2_000],
    [3, EventKind.PinSpent, 2_000],
  ]);
  store.close();
  // On disk now, as a restart reads it.
  store = openDepotStore(join(mount, 'depot.sqlite'));
  expect(store.pin(7)?.spentMs).toBe(2_000);
  expect(store.lockout().failedAttempts).toBe(3);
  expect(store.clockFloorMs()).toBe(9_000);
});

it('opens on a full disk (exclusive locking, no shared-memory file) and holds from the first write', () => {
  const path = join(mount, 'depot.sqlite');
  openDepotStore(path).close();
  fillUp(join(mount, 'filler'));
  const exclusive: unknown[] = [];
  store = openDepotStore(path, { onExclusiveOpen: (error) => exclusive.push(error) });
  expect(exclusive).toHaveLength(1);
  store.journal(at(1_000, EventKind.Boot, 'v1'));
  expect(store.holding).toBe(true);
  expect(store.outboxSize()).toBe(1);
});
