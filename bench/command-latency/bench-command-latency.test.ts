import { describe, expect, it } from 'vitest';
import { testDialects } from '../../cloud/test/databases.js';
import { parseOptions } from './options.js';
import { percentiles, reportMarkdown } from './report.js';
import { runLatency, spreadTargets } from './run.js';

// A CI-sized run of bench/command-latency.ts: every command queued through the portal's code path
// must reach its depot and come back applied, with its times recorded. No timing is asserted (the
// figures go into docs/benchmarks.md).

describe('bench:command-latency pieces', () => {
  it('spreads commands over distinct depots first, PINs and opens alternating', () => {
    const targets = spreadTargets([1, 2, 3, 4], 6);
    expect(new Set(targets.slice(0, 4).map((t) => t.depotId))).toEqual(new Set([1, 2, 3, 4]));
    expect(targets.slice(4).map((t) => t.depotId)).toEqual(targets.slice(0, 2).map((t) => t.depotId));
    expect(targets.map((t) => t.kind)).toEqual(['pin', 'open', 'pin', 'open', 'pin', 'open']);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(percentiles(values)).toEqual({ count: 200, p50: 100, p99: 198, max: 200 });
    expect(percentiles([])).toEqual({ count: 0, p50: null, p99: null, max: null });
  });

  it('reads its options and rejects bad ones', () => {
    expect(parseOptions([])).toMatchObject({ depots: 1000, commands: 500, spreadMs: 60_000 });
    expect(parseOptions(['--engine', 'mysql']).engines).toEqual(['mysql']);
    expect(() => parseOptions(['--engine', 'postgres'])).toThrow(/--engine/);
    expect(() => parseOptions(['--commands', '0'])).toThrow(/--commands/);
  });
});

describe.each(testDialects())('bench:command-latency on %s', (engine) => {
  it('applies 20 commands queued through the portal on 20 real depots and records each one', async () => {
    const result = await runLatency({
      engine,
      mysqlUrl: process.env.KEYDEPOT_TEST_MYSQL_URL,
      depots: 20,
      commands: 20,
      spreadMs: 4_000,
      settleTimeoutMs: 60_000,
    });
    const report = reportMarkdown([result]);
    expect(result.states, report).toEqual({ applied: 20 });
    expect(result.timings, report).toHaveLength(20);
    expect(result.timings.filter((t) => t.kind === 'pin')).toHaveLength(10);
    for (const t of result.timings) {
      expect(t.appliedMs, report).toBeGreaterThan(0);
      expect(t.appliedMs, report).toBeGreaterThanOrEqual(t.sentMs);
    }
    expect(result.fleetRoundTrip.count, report).toBeGreaterThan(0);
    expect(report).toContain(`| ${engine} | queued → COMMAND_APPLIED stored, all | 20 |`);
  }, 240_000);
});
