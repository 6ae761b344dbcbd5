import { describe, expect, it } from 'vitest';
import { testDialects } from '../../cloud/test/databases.js';
import { generateMovements, MOVEMENT_DAYS } from './movements.js';
import { parseOptions } from './options.js';
import { reportMarkdown } from './report.js';
import { BASELINE, runEngine, SELECT_ONE } from './run.js';

// A CI-sized run of bench/portal.ts: it must load, log in, open every page and
// report numbers. No timing is asserted (speed goes into docs/benchmarks.md).

describe('bench:portal movement generator', () => {
  it('yields exactly the asked number, in arrival order, per-depot sequences from 1, within 90 days', () => {
    const depots = [{ compartments: 4 }, { compartments: 6 }, { compartments: 12 }];
    const endMs = Date.UTC(2026, 10, 28);
    const rows = [...generateMovements(depots, 10_000, endMs, 7)];
    expect(rows).toHaveLength(10_000);
    const sequences = depots.map(() => 0);
    const wrong: string[] = [];
    let previous = 0;
    for (const [i, row] of rows.entries()) {
      sequences[row.depotIndex] = (sequences[row.depotIndex] ?? 0) + 1;
      if (row.sequence !== sequences[row.depotIndex]) wrong.push(`${i}: sequence ${row.sequence}`);
      if (row.compartment > (depots[row.depotIndex]?.compartments ?? 0)) wrong.push(`${i}: compartment`);
      if (row.depotTimeMs < endMs - MOVEMENT_DAYS * 86_400_000) wrong.push(`${i}: before the 90 days`);
      if (row.receivedAtMs < row.depotTimeMs || row.receivedAtMs > endMs) wrong.push(`${i}: received at`);
      // Episodes follow each other in time; only events inside one may run past the next one's start.
      if (row.depotTimeMs < previous - 60_000) wrong.push(`${i}: out of order`);
      previous = row.depotTimeMs;
    }
    expect(wrong).toEqual([]);
    expect(new Set(rows.map((r) => r.kind)).size).toBeGreaterThan(8);
    // Seeded: the same seed loads the same rows, another seed others.
    expect([...generateMovements(depots, 10_000, endMs, 7)]).toEqual(rows);
    expect([...generateMovements(depots, 10_000, endMs, 8)]).not.toEqual(rows);
  });

  it('rejects options outside their ranges', () => {
    expect(parseOptions([])).toMatchObject({
      depots: 1000,
      movements: 1_000_000,
      customers: 100_000,
      invoices: 500_000,
      dialects: ['sqlite', 'mysql'],
    });
    expect(() => parseOptions(['--dialect', 'postgres'])).toThrow(/--dialect/);
    expect(() => parseOptions(['--depots', '2'])).toThrow(/--depots/);
    expect(() => parseOptions(['--requests', 'many'])).toThrow(/--requests/);
  });
});

describe.each(testDialects())('bench:portal on %s', (dialect) => {
  it('runs 20 depots × 5,000 movements through the portal and reports every route', async () => {
    const options = {
      ...parseOptions(['--depots', '20', '--movements', '5000', '--customers', '300', '--invoices', '1000']),
      requests: 3,
      warmup: 1,
    };
    const result = await runEngine(dialect, options, process.env.KEYDEPOT_TEST_MYSQL_URL);
    expect(result).toMatchObject({ dialect, depots: 20, movements: 5000, workshopDepots: 5 });
    expect(result.busiestDepotMovements).toBeGreaterThan(250);
    const names = result.timings.map((t) => `${t.name} / ${t.who}`);
    expect(names).toContain(`${BASELINE} / facility manager (20 depots)`);
    expect(names).toContain(`${SELECT_ONE} / –`);
    expect(names).toContain('dashboard GET / / workshop (5 depots)');
    expect(names).toContain('dashboard GET / / facility manager (20 depots)');
    for (const page of ['customer search: e-mail', 'customer search: name words', 'invoice list, first page']) {
      expect(names).toContain(`${page} / facility manager (20 depots)`);
    }
    for (const t of result.timings) {
      expect(t.p50).toBeGreaterThan(0);
      expect(t.p50).toBeLessThanOrEqual(t.p95);
      expect(t.p95).toBeLessThanOrEqual(t.p99);
      if (t.name !== SELECT_ONE) expect(t.bytes).toBeGreaterThan(0);
    }
    const report = reportMarkdown([result], options);
    for (const t of result.timings) expect(report).toContain(`| ${t.name} | ${t.who} | ${t.p50.toFixed(2)} |`);
  });
});
