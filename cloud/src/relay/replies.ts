import { type Frame, FrameKind, PUSH_FRESH_MS, packFrames } from '@keydepot/shared';
import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { markCommandsSent } from '../store/relay/commands.js';
import { relayDb } from '../store/relay/relay-schema.js';
import { reserveSendCounters } from '../store/relay/sessions.js';
import type { CommandCache } from './command-cache.js';
import type { RelaySession } from './relay-session.js';
import type { SessionTable } from './session-table.js';

export interface RepliesOptions {
  readonly store: StoreDatabase;
  readonly sessions: SessionTable;
  readonly commands: CommandCache;
  readonly metrics: RelayMetrics;
  readonly clock: () => number;
  readonly counterBlock: number;
  readonly counterBlockMaxAgeMs: number;
  readonly send: (datagram: Uint8Array, endpoint: string, kind: string) => void;
}

/**
 * Everything the relay sends on a session: replies to uplinks (TIME, EVENT_ACKs,
 * COMMANDs, protocol §10) and pushes of new commands to depots heard from within
 * PUSH_FRESH_MS. Send counters come from blocks reserved in the store.
 */
export class Replies {
  private readonly heard = new Map<number, number>();
  private readonly pushedThrough = new Map<number, number>();
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly options: RepliesOptions) {}

  /** Uplinks per depot accepted and not yet answered: their replies carry whatever is pending. */
  private readonly awaiting = new Map<number, number>();

  /** An uplink of the depot was accepted; call `answered` once its batch is done (also on failure). */
  heardFrom(depotId: number, nowMs: number): void {
    this.heard.set(depotId, nowMs);
    this.awaiting.set(depotId, (this.awaiting.get(depotId) ?? 0) + 1);
  }

  /**
   * A committed reply carried commands up to `newestId`: a poll right after it
   * must not push the same commands again (the depot has them, or will ask).
   */
  carried(depotId: number, newestId: number): void {
    if (newestId > (this.pushedThrough.get(depotId) ?? 0)) this.pushedThrough.set(depotId, newestId);
  }

  answered(depotId: number): void {
    const n = (this.awaiting.get(depotId) ?? 0) - 1;
    if (n > 0) this.awaiting.set(depotId, n);
    else this.awaiting.delete(depotId);
  }

  /**
   * The counter blocks a batch's replies need (sessions whose granted counters do not cover
   * them); the batch reserves them in its transaction and grants them once it committed.
   */
  countersToReserve(
    needs: ReadonlyMap<RelaySession, number>,
    nowMs: number,
  ): { session: RelaySession; count: number }[] {
    const reserve: { session: RelaySession; count: number }[] = [];
    for (const [session, need] of needs) {
      if (session.countersLeft(nowMs, this.options.counterBlockMaxAgeMs) >= need) continue;
      reserve.push({ session, count: Math.max(this.options.counterBlock, need) });
    }
    return reserve;
  }

  /**
   * Seals and sends the plaintexts at once if the session's granted counters
   * cover them (a batch reserves what its replies need): true when done, false
   * when a counter block must be reserved first (then call `send`).
   */
  trySendNow(session: RelaySession, plaintexts: readonly Uint8Array[], kind: string): boolean {
    const endpoint = session.endpoint;
    if (endpoint === null) return true;
    if (session.countersLeft(this.options.clock(), this.options.counterBlockMaxAgeMs) < plaintexts.length) return false;
    for (const plaintext of plaintexts) this.options.send(session.seal(plaintext), endpoint, kind);
    return true;
  }

  /** Seals and sends the plaintexts on `session` to its endpoint. */
  async send(session: RelaySession, plaintexts: readonly Uint8Array[], kind: string): Promise<void> {
    const endpoint = session.endpoint;
    if (endpoint === null) return;
    for (const plaintext of plaintexts) {
      if (session.countersLeft(this.options.clock(), this.options.counterBlockMaxAgeMs) < 1) {
        const block = await this.options.metrics.time('reserve-counters', () =>
          reserveSendCounters(this.options.store, session.sessionId, this.options.counterBlock),
        );
        if (!block) return;
        session.grantCounters(block.start, block.end, this.options.clock());
      }
      this.options.send(session.seal(plaintext), endpoint, kind);
    }
  }

  /**
   * Pushes pending commands at once to a depot heard from within PUSH_FRESH_MS
   * (protocol §10), once per new command; a depot not fresh gets them with its
   * next check-in instead.
   */
  pushIfFresh(depotId: number): void {
    const nowMs = this.options.clock();
    const heard = this.heard.get(depotId);
    if (heard === undefined || nowMs - heard > PUSH_FRESH_MS) return;
    // A reply on its way carries the pending commands anyway; a push now would send them twice.
    if (this.awaiting.has(depotId)) return;
    const session = this.options.sessions.sendSessionFor(depotId, nowMs);
    if (!session) return;
    const { frames, queued } = this.options.commands.carry(depotId, 0, nowMs);
    const newest = frames.at(-1)?.id ?? 0;
    if (newest <= (this.pushedThrough.get(depotId) ?? 0)) return;
    this.pushedThrough.set(depotId, newest);
    const reply: Frame[] = [{ kind: FrameKind.Time, nowMs }, ...frames];
    const task = (async () => {
      if (queued.length > 0) {
        await markCommandsSent(
          relayDb(this.options.store),
          depotId,
          queued.map((c) => c.id),
          nowMs,
        );
        for (const c of queued) c.state = 'sent';
        this.options.metrics.commands.inc({ state: 'sent' }, queued.length);
      }
      await this.send(session, packFrames(reply), 'push');
    })()
      .catch(() => this.options.metrics.errors.inc({ where: 'push' }))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Waits for pushes under way. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
