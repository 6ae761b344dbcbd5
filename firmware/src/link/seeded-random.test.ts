import { describe, expect, it } from 'vitest';
import { deriveSeed, seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const values = Array.from({ length: 10_000 }, () => a());
    expect(values).toEqual(Array.from({ length: 10_000 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Roughly uniform: each tenth of the range gets about a tenth of the draws.
    for (let bucket = 0; bucket < 10; bucket++) {
      const count = values.filter((v) => Math.floor(v * 10) === bucket).length;
      expect(count).toBeGreaterThan(900);
      expect(count).toBeLessThan(1_100);
    }
  });
});

describe('deriveSeed', () => {
  it('gives each stream its own seed, the same every time', () => {
    const seeds = new Set<number>();
    for (let depot = 1; depot <= 1_000; depot++) {
      for (const way of ['up', 'down']) seeds.add(deriveSeed(7, way, depot));
    }
    expect(seeds.size).toBe(2_000);
    expect(deriveSeed(7, 'up', 1)).toBe(deriveSeed(7, 'up', 1));
    expect(deriveSeed(8, 'up', 1)).not.toBe(deriveSeed(7, 'up', 1));
    // Labels are separated: ('up', 11) is not ('up1', 1).
    expect(deriveSeed(7, 'up', 11)).not.toBe(deriveSeed(7, 'up1', 1));
  });
});
