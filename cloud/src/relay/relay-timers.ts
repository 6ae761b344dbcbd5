import {
  CHECK_IN_INTERVAL_MS,
  CHECK_IN_JITTER_MS,
  OFFLINE_AFTER_MISSED_CHECK_INS,
  REJECT_AFTER_MS,
} from '@keydepot/shared';
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { expireQueuedCommands, loadPendingCommands } from '../store/relay/commands.js';
import { sweepOffline } from '../store/relay/presence.js';
import { auditSessionsEnded } from '../store/relay/relay-audit.js';
import { deleteSessionsCreatedBefore, depotsToForgetSince } from '../store/relay/sessions.js';
import type { CommandCache } from './command-cache.js';
import type { Replies } from './replies.js';
import type { SessionTable } from './session-table.js';

/** Silence after which a depot is shown offline: 3 check-ins (with their jitter). */
export const DEFAULT_OFFLINE_AFTER_MS = OFFLINE_AFTER_MISSED_CHECK_INS * CHECK_IN_INTERVAL_MS + CHECK_IN_JITTER_MS;

export interface RelayTimersOptions {
  readonly store: StoreDatabase;
  readonly sessions: SessionTable;
  readonly commands: CommandCache;
  readonly replies: Replies;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly pollIntervalMs: number;
  readonly offlineSweepIntervalMs: number;
  readonly offlineAfterMs?: number;
}

/**
 * The relay's rhythms: a poll of the store (new commands to push, queued
 * commands to expire, revoked depots) every few hundred ms, because the portal
 * may queue commands from another process; and a slower sweep for depots gone
 * silent and sessions past REJECT_AFTER.
 */
export class RelayTimers {
  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private sweeping: Promise<void> | null = null;
  private polls = 0;
  private revokedCheckedMs: number;
  private stopped = false;
  /** Commands whose secret did not open, already reported (a poll every 250 ms would repeat it). */
  private readonly reportedUnreadable = new Set<string>();

  constructor(private readonly options: RelayTimersOptions) {
    this.revokedCheckedMs = options.clock();
  }

  start(): void {
    this.pollTimer = setInterval(() => this.pollSoon(), this.options.pollIntervalMs);
    this.sweepTimer = setInterval(() => this.sweepSoon(), this.options.offlineSweepIntervalMs);
    this.pollSoon();
  }

  pollSoon(): void {
    if (this.polling || this.stopped) return;
    this.polling = this.poll()
      .catch((error) => {
        this.options.metrics.errors.inc({ where: 'poll' });
        this.options.logger.warn({ err: error }, 'command poll failed');
      })
      .finally(() => {
        this.polling = null;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.sweepTimer);
    await this.polling;
    await this.sweeping;
  }

  private async poll(): Promise<void> {
    const { store, metrics } = this.options;
    const nowMs = this.options.clock();
    if (this.polls++ % 4 === 0) {
      const expired = await metrics.time('expire-commands', () => expireQueuedCommands(store, nowMs));
      if (expired > 0) metrics.commands.inc({ state: 'expired' }, expired);
      // A revocation or rekey is seen within a second by every relay; a margin covers clock skew between processes.
      const since = this.revokedCheckedMs - 60_000;
      this.revokedCheckedMs = nowMs;
      for (const forget of await depotsToForgetSince(store, since)) {
        const ended = this.options.sessions.evictDepot(forget.depotId, forget.sessionsBeforeMs);
        const reason = forget.sessionsBeforeMs === Number.POSITIVE_INFINITY ? 'revoked' : 'rekeyed';
        if (ended > 0) await auditSessionsEnded(store, { depotId: forget.depotId, ended, reason, nowMs });
      }
    }
    const cache = this.options.commands;
    const loaded = await metrics.time('load-commands', () =>
      loadPendingCommands(store, (depotId, id) => cache.bodyOf(depotId, id)),
    );
    for (const { depotId, id, error } of loaded.unreadable) {
      const key = `${depotId}/${id}`;
      if (this.reportedUnreadable.has(key)) continue;
      this.reportedUnreadable.add(key);
      metrics.errors.inc({ where: 'command-secret' });
      this.options.logger.warn({ depotId, commandId: id, err: error }, 'command not carried: its secret did not open');
    }
    cache.replace(loaded.commands, loaded.lastApplied);
    for (const depotId of [...this.options.commands.depots()]) this.options.replies.pushIfFresh(depotId);
  }

  private sweepSoon(): void {
    if (this.sweeping || this.stopped) return;
    this.sweeping = this.sweep()
      .catch((error) => {
        this.options.metrics.errors.inc({ where: 'sweep' });
        this.options.logger.warn({ err: error }, 'offline sweep failed');
      })
      .finally(() => {
        this.sweeping = null;
      });
  }

  private async sweep(): Promise<void> {
    const { store, metrics } = this.options;
    const nowMs = this.options.clock();
    const offlineAfter = this.options.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS;
    const changes = await metrics.time('offline-sweep', () => sweepOffline(store, nowMs - offlineAfter, nowMs));
    for (const c of changes) {
      metrics.presence.inc({ kind: c.kind });
      this.options.logger.info({ depotId: c.depotId }, 'depot offline');
    }
    this.options.sessions.sweep(nowMs);
    metrics.sessions.set(this.options.sessions.size);
    await deleteSessionsCreatedBefore(store, nowMs - REJECT_AFTER_MS);
  }
}
