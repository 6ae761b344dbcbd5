import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { readDepotLimits, recordViolations } from '../store/relay/violations.js';
import { type DepotLimits, needsFreshLimits, screenFrames, type Violation } from './uplink-rules.js';
import type { AcceptedUplink } from './uplink-store.js';

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
 * the portal, rate-limited. The limits are cached: a steady check-in needs no
 * read; a claim above the cached last issued command, or a depot not seen
 * yet, reads the depots once per batch.
 */
export class UplinkScreen {
  private readonly limits = new Map<number, DepotLimits>();
  private readonly alertedAt = new Map<string, number>();

  constructor(private readonly o: UplinkScreenOptions) {}

  async screen(batch: readonly AcceptedUplink[]): Promise<AcceptedUplink[]> {
    const stale = new Set<number>();
    for (const a of batch) {
      const depotId = a.session.depotId;
      if (!stale.has(depotId) && needsFreshLimits(a.frames, this.limits.get(depotId))) stale.add(depotId);
    }
    if (stale.size > 0) {
      const read = await this.o.metrics.time('depot-limits', () => readDepotLimits(this.o.store, [...stale]));
      for (const [depotId, limits] of read) this.limits.set(depotId, limits);
    }
    const violations: Violation[] = [];
    const screened = batch.map((a) => {
      const result = screenFrames(a.session.depotId, a.frames, this.limits.get(a.session.depotId));
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
