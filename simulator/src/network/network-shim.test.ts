import { seededRandom } from '@keydepot/firmware';
import { describe, expect, it } from 'vitest';
import { checkConditions, DEFAULT_REORDER_MAX_MS, datagramFate, type NetworkConditions } from './network-shim.js';

const fates = (conditions: NetworkConditions, seed: number, count: number, nowMs = 0) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => datagramFate(conditions, random, nowMs));
};

const HOSTILE: NetworkConditions = {
  lossPercent: 30,
  duplicatePercent: 10,
  reorderPercent: 5,
  delayMs: 20,
  jitterMs: 80,
};

describe('datagramFate', () => {
  it('delivers everything at once on a perfect network', () => {
    expect(fates({}, 1, 100)).toEqual(Array.from({ length: 100 }, () => [0]));
  });

  it('decides the same with the same seed and differently with another', () => {
    expect(fates(HOSTILE, 42, 500)).toEqual(fates(HOSTILE, 42, 500));
    expect(fates(HOSTILE, 43, 500)).not.toEqual(fates(HOSTILE, 42, 500));
  });

  it('loses, duplicates and reorders about the shares asked for', () => {
    const all = fates(HOSTILE, 7, 20_000);
    const share = (test: (fate: number[]) => boolean) => all.filter(test).length / all.length;
    expect(share((f) => f.length === 0)).toBeCloseTo(0.3, 1);
    const delivered = all.filter((f) => f.length > 0);
    expect(delivered.filter((f) => f.length === 2).length / delivered.length).toBeCloseTo(0.1, 1);
    // Reordered copies are held back past the base delay and jitter; the rest stay inside them.
    const late = delivered.filter((f) => f[0] > 100).length / delivered.length;
    expect(late).toBeGreaterThan(0.03);
    expect(late).toBeLessThan(0.06);
    const outside = delivered.filter(
      (f) => f[0] < 20 || f[0] > 100 + DEFAULT_REORDER_MAX_MS || (f.length === 2 && (f[1] < 20 || f[1] > 100)),
    );
    expect(outside).toEqual([]);
  });

  it('keeps the other decisions when one share changes (same draws per datagram)', () => {
    const withLoss = fates(HOSTILE, 9, 1_000);
    const without = fates({ ...HOSTILE, lossPercent: 0 }, 9, 1_000);
    const kept = withLoss.map((fate, i) => (fate.length > 0 ? without[i] : fate));
    expect(withLoss).toEqual(kept);
    expect(withLoss.filter((f) => f.length === 0).length).toBeGreaterThan(200);
  });

  it('loses everything inside an outage window, from its start up to its end', () => {
    const conditions = { outages: [{ startMs: 1_000, endMs: 2_000 }] };
    const random = seededRandom(1);
    expect(datagramFate(conditions, random, 999)).toEqual([0]);
    expect(datagramFate(conditions, random, 1_000)).toEqual([]);
    expect(datagramFate(conditions, random, 1_999)).toEqual([]);
    expect(datagramFate(conditions, random, 2_000)).toEqual([0]);
  });
});

describe('checkConditions', () => {
  it('names the field that is out of range', () => {
    expect(() => checkConditions({ lossPercent: 101 })).toThrow(/lossPercent/);
    expect(() => checkConditions({ duplicatePercent: -1 })).toThrow(/duplicatePercent/);
    expect(() => checkConditions({ jitterMs: Number.POSITIVE_INFINITY })).toThrow(/jitterMs/);
    expect(() => checkConditions({ outages: [{ startMs: 5, endMs: 4 }] })).toThrow(/outage/);
    expect(checkConditions(HOSTILE)).toBe(HOSTILE);
  });
});
