/**
 * Load mode at CI size: the relay (`startCloud`) in its own process, 100 depots
 * (the real firmware daemon on simulated hardware) in a depot host process,
 * PINs queued as commands, typed, doors and keys moved, at 60× speed-up for a
 * few seconds; then the report's invariants: every journaled event stored,
 * every queued command applied, every check-in answered.
 */
import { describe, expect, it } from 'vitest';
import { reportTable } from '../src/load/report.js';
import { runLoad } from '../src/load/run-load.js';

describe('load mode', () => {
  it('drains a small fleet and reports stored = generated, applied = queued, all answered', async () => {
    const report = await runLoad({ depots: 100, speedup: 60, durationMs: 4 * 60_000, pickupsPerDepotHour: 6 });
    const table = reportTable(report);

    expect(report.depots.started, table).toBe(100);
    expect(report.drained, table).toBe(true);
    expect(report.events.generated, table).toBeGreaterThan(2 * 100);
    expect(report.events.stored, table).toBe(report.events.generated);
    expect(report.commands.queued, table).toBeGreaterThan(0);
    expect(report.commands.applied, table).toBe(report.commands.queued);
    expect(report.commands.appliedOnDepots, table).toBe(report.commands.queued);
    expect(report.actions.pinsTyped, table).toBe(report.commands.queued);
    expect(report.checkIns.sent, table).toBeGreaterThan(100);
    expect(report.checkIns.unanswered, table).toBe(0);
    expect(report.checkIns.answered + report.checkIns.superseded, table).toBe(report.checkIns.sent);
    expect(report.roundTripMs.count, table).toBeGreaterThan(0);
    expect(report.relay.cpuSeconds, table).toBeGreaterThan(0);
    expect(report.relay.rssMiB, table).toBeGreaterThan(10);
    expect(report.invariants).toEqual({
      eventsStoredEqualGenerated: true,
      commandsAppliedEqualQueued: true,
      checkInsAllAnswered: true,
    });
  }, 180_000);
});
