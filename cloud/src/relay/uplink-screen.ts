import { FrameKind } from '@keydepot/shared';
import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { readDepotLimits, recordViolations, sentCommands } from '../store/relay/violations.js';
import type { AcceptedUplink } from './uplink-committer.js';
import { claimedCommands, type DepotLimits, screenFrames, type Violation } from './uplink-rules.js';

/** A depot repeating the same violation gets at most one alert row per this interval (per relay process). */
export const VIOLATION_ALERT_EVERY_MS = 10 * 60_000;

export interface UplinkScreenOptions {
  readonly store: StoreDatabase;
  readonly metrics: RelayMetrics;
  readonly clock: () => number;
  readonly alertEveryMs?: number;
}

/**
 * Checks a batch's telegrams against what the cloud knows of their depots
 * (protocol §8.10) before anything is stored: violating frames are taken out,
 * counted in keydepot_relay_protocol_violations_total{reason} and recorded for
 * the portal, rate-limited. What it learnt is cached: a steady check-in (same
 * last applied command, no results) reads nothing; a depot seen for the first
 * time reads its provisioning, and command ids not yet known to have been sent
 * are looked up by primary key once per batch.
 */
export class UplinkScreen {
  private readonly limits = new Map<number, DepotLimits>();
  /** Per depot, a last applied id already found to name a command sent to it. */
  private readonly appliedSent = new Map<number, number>();
  private readonly alertedAt = new Map<string, number>();

  constructor(private readonly o: UplinkScreenOptions) {}

  async screen(batch: readonly AcceptedUplink[]): Promise<AcceptedUplink[]> {
    const unread = new Set<number>();
    const claims = new Map<string, { depotId: number; id: number }>();
    for (const a of batch) {
      const depotId = a.session.depotId;
      if (!this.limits.has(depotId) && a.frames.some((f) => f.kind !== FrameKind.Keepalive)) unread.add(depotId);
      for (const id of claimedCommands(a.frames, this.appliedSent.get(depotId))) {
        claims.set(`${depotId}:${id}`, { depotId, id });
      }
    }
    const sent =
      claims.size === 0
        ? new Set<string>()
        : await this.o.metrics.time('sent-commands', () => sentCommands(this.o.store, [...claims.values()]));
    // A depot naming a command never sent to it: its last issued id (for the alert) is read afresh.
    for (const [key, claim] of claims) if (!sent.has(key)) unread.add(claim.depotId);
    if (unread.size > 0) {
      const read = await this.o.metrics.time('depot-limits', () => readDepotLimits(this.o.store, [...unread]));
      for (const [depotId, limits] of read) this.limits.set(depotId, limits);
    }
    const violations: Violation[] = [];
    const screened = batch.map((a) => {
      const depotId = a.session.depotId;
      const known = this.appliedSent.get(depotId);
      const wasSent = (id: number) => id === known || sent.has(`${depotId}:${id}`);
      const result = screenFrames(depotId, a.frames, this.limits.get(depotId), wasSent);
      for (const f of result.frames) {
        if (f.kind === FrameKind.Status && f.lastCommandId > 0 && wasSent(f.lastCommandId)) {
          this.appliedSent.set(depotId, f.lastCommandId);
        }
      }
      if (result.violations.length === 0) return a;
      violations.push(...result.violations);
      return { ...a, frames: result.frames };
    });
    if (violations.length > 0) await this.report(violations);
    return screened;
  }
  private async report(violations: readonly Violation[]): Promise<void> {
    const nowMs = this.o.clock();
    const every = this.o.alertEveryMs ?? VIOLATION_ALERT_EVERY_MS;
    const due: Violation[] = [];
    for (const v of violations) {
      this.o.metrics.violations.inc({ reason: v.reason });
      const key = `${v.depotId}:${v.reason}`;
      const at = this.alertedAt.get(key);
      if (at !== undefined && nowMs - at < every && nowMs >= at) continue;
      this.alertedAt.set(key, nowMs);
      due.push(v);
    }
    // The alert is a notice for the operator; failing to write it must not keep the telegram from being stored.
    await recordViolations(this.o.store, due, nowMs).catch(() => this.o.metrics.errors.inc({ where: 'violation' }));
  }
}
