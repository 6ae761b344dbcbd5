import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandBody,
  type CommandFrame,
  type EventFrame,
  EventKind,
  FrameKind,
  PinKind,
  type ScheduleEntry,
} from '@keydepot/shared';
import { createDepotCore, type DepotCore } from '../../src/depot/depot-core.js';
import { type DepotStore, openDepotStore } from '../../src/store/depot-store.js';
import { type FakeHardware, fakeHardware } from './fakes.js';

export const PIN_KEY = new Uint8Array(32).fill(7);
export const OFFLINE_KEY = new Uint8Array(32).fill(9);
export const DEPOT_ID = 4711;
/** 2025-11-28T10:00:00Z, a Friday. */
export const NOW = Date.UTC(2025, 10, 28, 10, 0, 0);

/** A temporary directory with a real SQLite file; remove() deletes it. */
export function tempDb(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keydepot-depot-'));
  return { path: join(dir, 'depot.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Rig {
  readonly hw: FakeHardware;
  readonly store: DepotStore;
  readonly core: DepotCore;
  readonly path: string;
  /** Reopens store and core on the same file, as after a power cut (the old core is dropped, not stopped). */
  restart(): Rig;
  close(): void;
  /** Every journaled event, oldest first. */
  events(): EventFrame[];
  kinds(): EventKind[];
}

export function rig(options: { compartments?: number; path?: string; remove?: () => void } = {}): Rig {
  const db = options.path === undefined ? tempDb() : { path: options.path, remove: options.remove ?? (() => {}) };
  const hw = fakeHardware(options.compartments ?? 3);
  const store = openDepotStore(db.path);
  const core = createDepotCore({
    hardware: hw,
    store,
    pinMacKey: PIN_KEY,
    offline: { key: OFFLINE_KEY, depotId: DEPOT_ID },
    firmwareVersion: 'test-1',
  });
  core.start();
  const self: Rig = {
    hw,
    store,
    core,
    path: db.path,
    restart() {
      core.stop();
      store.close();
      return rig({ compartments: options.compartments, path: db.path, remove: db.remove });
    },
    close() {
      core.stop();
      store.close();
      db.remove();
    },
    events: () => store.pendingEvents(100_000),
    kinds: () => store.pendingEvents(100_000).map((e) => e.event),
  };
  return self;
}

/** A COMMAND frame following the command id − 1 unless told otherwise. */
export function command(
  id: number,
  body: CommandBody,
  fields: { previousId?: number; notAfterMs?: number } = {},
): CommandFrame {
  return {
    kind: FrameKind.Command,
    id,
    previousId: fields.previousId ?? id - 1,
    notAfterMs: fields.notAfterMs ?? 0,
    body,
  };
}

export function pinAdd(
  pinId: number,
  digits: string,
  extra: { kind?: PinKind; compartment?: number; from?: number; until?: number; schedule?: ScheduleEntry[] } = {},
): CommandBody {
  return {
    command: 1,
    pinId,
    pinKind: extra.kind ?? PinKind.Permanent,
    compartment: extra.compartment ?? 1,
    digits,
    validFromMs: extra.from ?? 0,
    validUntilMs: extra.until ?? 0,
    schedule: extra.schedule ?? [],
  };
}

export { EventKind };
