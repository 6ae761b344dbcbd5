import {
  type CommandFrame,
  type CommandResultFrame,
  type EventFrame,
  type Frame,
  FrameKind,
  packFrames,
  type StatusFrame,
} from '@keydepot/shared';
import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import type { PendingCommand } from '../store/relay/commands.js';
import type { LastSeenWrites } from '../store/relay/presence.js';
import { type LastAppliedWrites, storeUplinks, type Uplink } from '../store/relay/uplinks.js';
import type { CommandCache } from './command-cache.js';
import type { RelaySession } from './relay-session.js';
import type { Replies } from './replies.js';
import type { UplinkScreen } from './uplink-screen.js';

/** A depot telegram that passed every check, waiting for its batch. */
export interface AcceptedUplink {
  readonly session: RelaySession;
  readonly counter: number;
  readonly endpoint: string;
  readonly newest: boolean;
  readonly confirms: boolean;
  readonly frames: readonly Frame[];
}

export interface UplinkCommitterOptions {
  readonly store: StoreDatabase;
  readonly commands: CommandCache;
  readonly replies: Replies;
  readonly metrics: RelayMetrics;
  readonly clock: () => number;
  readonly afterCommit?: () => void;
  /** Coalesces last-seen writes (at most one per depot per interval). */
  readonly lastSeen?: LastSeenWrites;
  /** Skips raising last applied commands this process already committed. */
  readonly lastApplied?: LastAppliedWrites;
  /** Takes protocol violations out of the batch before it is stored (protocol §8.10). */
  readonly screen?: UplinkScreen;
}

function toUplink(a: AcceptedUplink): Uplink {
  const events: EventFrame[] = [];
  const results: CommandResultFrame[] = [];
  let status: StatusFrame | undefined;
  for (const f of a.frames) {
    if (f.kind === FrameKind.Event) events.push(f);
    else if (f.kind === FrameKind.CommandResult) results.push(f);
    else if (f.kind === FrameKind.Status) status = f;
  }
  return {
    depotId: a.session.depotId,
    sessionId: a.session.sessionId,
    sessionStamp: a.session.stamp,
    counter: a.counter,
    endpoint: a.endpoint,
    confirms: a.confirms,
    events,
    status,
    results,
  };
}

/**
 * Commits a batch of uplinks in one store transaction and answers each of them
 * after the commit: TIME, the cumulative EVENT_ACKs computed from the store,
 * and every pending command above what the depot has applied (protocol §10–§12).
 */
export class UplinkCommitter {
  constructor(private readonly options: UplinkCommitterOptions) {}

  async commitAndAnswer(batch: readonly AcceptedUplink[]): Promise<void> {
    try {
      await this.commit(batch);
    } finally {
      for (const a of batch) this.options.replies.answered(a.session.depotId);
    }
  }

  private async commit(accepted: readonly AcceptedUplink[]): Promise<void> {
    // Still answered as usual: the depot sees a normal reply, only the violating frames had no effect.
    const batch = this.options.screen ? await this.options.screen.screen(accepted) : accepted;
    const nowMs = this.options.clock();
    const uplinks = batch.map(toUplink);
    let plaintexts: Uint8Array[][] = [];
    let reserving: { session: RelaySession; count: number }[] = [];
    let sent: PendingCommand[] = [];
    const carriedThrough = new Map<number, number>();
    const stored = await this.options.metrics.time('batch', () =>
      storeUplinks(this.options.store, uplinks, nowMs, {
        lastSeen: this.options.lastSeen,
        lastApplied: this.options.lastApplied,
        // Synchronous, inside the transaction: what to carry, mark as sent and reserve counters for.
        inTransaction: (result) => {
          for (const u of uplinks) {
            const ids = u.results.map((r) => r.id);
            this.options.commands.finished(u.depotId, ids);
          }
          for (const [depotId, id] of result.lastApplied) this.options.commands.raiseApplied(depotId, id);
          const queuedByDepot = new Map<number, PendingCommand[]>();
          const needs = new Map<RelaySession, number>();
          plaintexts = batch.map((a, i) => {
            const u = uplinks[i];
            const applied = Math.max(u.status?.lastCommandId ?? 0, result.lastApplied.get(u.depotId) ?? 0);
            const { frames, queued } = this.options.commands.carry(u.depotId, applied, nowMs);
            const newest = frames.at(-1)?.id ?? 0;
            if (newest > (carriedThrough.get(u.depotId) ?? 0)) carriedThrough.set(u.depotId, newest);
            for (const c of queued) {
              const list = queuedByDepot.get(u.depotId) ?? [];
              if (!list.includes(c)) list.push(c);
              queuedByDepot.set(u.depotId, list);
            }
            const acks = result.acks[i];
            const reply: Frame[] =
              acks.length === 0 && frames.length === 0
                ? [{ kind: FrameKind.Time, nowMs }]
                : [{ kind: FrameKind.Time, nowMs }, ...acks, ...(frames as CommandFrame[])];
            const packed = packFrames(reply);
            needs.set(a.session, (needs.get(a.session) ?? 0) + packed.length);
            return packed;
          });
          sent = [...queuedByDepot.values()].flat();
          reserving = this.options.replies.countersToReserve(needs, nowMs);
          return {
            markSent: new Map([...queuedByDepot].map(([depotId, list]) => [depotId, list.map((c) => c.id)])),
            reserve: reserving.map((r) => ({ sessionId: r.session.sessionId, count: r.count })),
          };
        },
      }),
    );
    // Committed: only now may counters be used and acks go out.
    reserving.forEach((r, i) => {
      const block = stored.blocks[i];
      if (block) r.session.grantCounters(block.start, block.end, nowMs);
    });
    for (const c of sent) c.state = 'sent';
    for (const [depotId, newest] of carriedThrough) this.options.replies.carried(depotId, newest);
    this.options.afterCommit?.();
    const m = this.options.metrics;
    m.batchSize.observe(batch.length);
    if (stored.eventsInserted > 0) m.eventsStored.inc(stored.eventsInserted);
    if (sent.length > 0) m.commands.inc({ state: 'sent' }, sent.length);
    for (const state of stored.commandStates) m.commands.inc({ state });
    for (const p of stored.presence) m.presence.inc({ kind: p.kind });
    for (let i = 0; i < batch.length; i++) {
      // Synchronous unless a session ran out of counters (its block aged out): no promise per reply.
      if (!this.options.replies.trySendNow(batch[i].session, plaintexts[i], 'reply')) {
        await this.options.replies.send(batch[i].session, plaintexts[i], 'reply');
      }
    }
  }
}
