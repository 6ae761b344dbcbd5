import type { CommandResultFrame, EventAckFrame, EventFrame, StatusFrame } from '@keydepot/shared';
import type { CommandState } from '../schema.js';
import { eventHeadKey } from './event-ingest.js';
import type { PresenceChange } from './presence.js';
import type { DepotStatusUpdate } from './status.js';

// What both engines' uplink batches share: the shapes going in and out, and the
// decisions that do not depend on the engine (acks from heads, which STATUS counts).

/** One accepted depot telegram, reduced to what the store needs. */
export interface Uplink {
  readonly depotId: number;
  readonly sessionId: number;
  readonly sessionStamp: number;
  readonly counter: number;
  /** "address:port" it came from; stored only if its counter is the newest of the session. */
  readonly endpoint: string;
  /** True for the first telegram this process accepted on a session not yet confirmed. */
  readonly confirms: boolean;
  readonly events: readonly EventFrame[];
  readonly status: StatusFrame | undefined;
  readonly results: readonly CommandResultFrame[];
}

export interface StoredBatch {
  /** Per uplink (same order), the acks to send: one per epoch it carried events of. */
  readonly acks: EventAckFrame[][];
  readonly eventsInserted: number;
  readonly presence: PresenceChange[];
  readonly commandStates: CommandState[];
  /** Highest command id each depot in the batch is known to have handled. */
  readonly lastApplied: Map<number, number>;
}

/** One batch as both engines' writers take it (storeUplinks works out which writes are due). */
export interface BatchArgs {
  readonly uplinks: readonly Uplink[];
  readonly seen: readonly number[];
  /** Per depot, the highest command it has handled (from lastAppliedOf). */
  readonly lastApplied: Map<number, number>;
  /** The entries of `lastApplied` to write. */
  readonly raises: ReadonlyMap<number, number>;
  readonly nowMs: number;
  readonly tail?: (stored: StoredBatch) => BatchTail;
}

/** Writes the caller decides on once the batch is stored, done in the same transaction. */
export interface BatchTail {
  /** Commands carried for the first time (queued → sent), per depot. */
  readonly markSent: ReadonlyMap<number, readonly number[]>;
  /** Send-counter blocks to reserve; usable only after the commit. */
  readonly reserve: ReadonlyArray<{ readonly sessionId: number; readonly count: number }>;
}

/** Send counters [start, end) of a session, reserved for this process. */
export interface CounterBlock {
  readonly start: number;
  readonly end: number;
}

export interface StoredBatchWithTail extends StoredBatch {
  /** Per `BatchTail.reserve` entry (same order): the block, or undefined if the session is gone. */
  readonly blocks: (CounterBlock | undefined)[];
}

/** Per depot, the highest command id the batch says it has handled: its STATUS's last applied and its results. */
export function lastAppliedOf(uplinks: readonly Uplink[]): Map<number, number> {
  const lastApplied = new Map<number, number>();
  const raise = (depotId: number, id: number) => {
    if (id > (lastApplied.get(depotId) ?? 0)) lastApplied.set(depotId, id);
  };
  for (const u of uplinks) {
    if (u.status) raise(u.depotId, u.status.lastCommandId);
    for (const r of u.results) raise(u.depotId, r.id);
  }
  return lastApplied;
}

/**
 * Which depots' last applied command still needs raising in the store. Every
 * STATUS carries it, but it changes only when a command was applied; a depot
 * whose raise this process has committed keeps its stored value at least that
 * high (the store only raises it, other relays too), so checking in again
 * with the same value needs no write: a steady batch skips the statement and
 * the depot row locks.
 */
export class LastAppliedWrites {
  private readonly committed = new Map<number, number>();

  /** The entries of `lastApplied` above what this process has committed for their depot. */
  due(lastApplied: ReadonlyMap<number, number>): Map<number, number> {
    const due = new Map<number, number>();
    for (const [depotId, id] of lastApplied) if (id > (this.committed.get(depotId) ?? 0)) due.set(depotId, id);
    return due;
  }

  /** Call after the transaction that raised them committed. */
  written(raised: ReadonlyMap<number, number>): void {
    for (const [depotId, id] of raised) if (id > (this.committed.get(depotId) ?? 0)) this.committed.set(depotId, id);
  }
}

/** Per uplink, one cumulative EVENT_ACK per epoch it carried events of, from the stored heads. */
export function ackFrames(uplinks: readonly Uplink[], heads: ReadonlyMap<string, number>): EventAckFrame[][] {
  return uplinks.map((u) => {
    if (u.events.length === 0) return [];
    const epochs = [...new Set(u.events.map((e) => e.epoch))];
    return epochs.flatMap((epoch) => {
      const sequence = heads.get(eventHeadKey(u.depotId, epoch)) ?? 0;
      return sequence > 0 ? [{ kind: 0x02 as const, epoch, sequence }] : [];
    });
  });
}

/**
 * A STATUS counts only from the newest stored telegram of its session: one
 * reordered or replayed (also to another relay) never writes it, which is what
 * lets the store skip rewriting an unchanged one without an older one slipping
 * in under it. `highest`: per session, its stored highest counter after this batch.
 */
export function statusUpdates(uplinks: readonly Uplink[], highest: ReadonlyMap<number, number>): DepotStatusUpdate[] {
  const updates: DepotStatusUpdate[] = [];
  for (const u of uplinks) {
    if (u.status && highest.get(u.sessionId) === u.counter) {
      updates.push({ depotId: u.depotId, sessionStamp: u.sessionStamp, counter: u.counter, frame: u.status });
    }
  }
  return updates;
}
