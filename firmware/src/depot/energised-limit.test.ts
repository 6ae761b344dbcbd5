import { describe, expect, it } from 'vitest';
import { EnergisedLimit } from './energised-limit.js';

describe('EnergisedLimit', () => {
  it('starts a pulse on a released relay and lets requests during it join without extending', () => {
    const limit = new EnergisedLimit(1_000);
    expect(limit.request(0)).toEqual({ kind: 'start' });
    limit.energised(0);
    expect(limit.isEnergised).toBe(true);
    for (const at of [1, 500, 2_999]) expect(limit.request(at)).toEqual({ kind: 'join' });
    expect(limit.energisedForMs(2_999)).toBe(2_999);
    limit.released(3_000);
    expect(limit.isEnergised).toBe(false);
    expect(limit.energisedForMs(3_001)).toBe(0);
  });

  it('makes a request right after a release wait out the rest, and later ones join the waiting pulse', () => {
    const limit = new EnergisedLimit(1_000);
    limit.request(0);
    limit.energised(0);
    limit.released(3_000);
    expect(limit.request(3_200)).toEqual({ kind: 'wait', delayMs: 800 });
    expect(limit.request(3_500)).toEqual({ kind: 'join' });
    limit.energised(4_000);
    expect(limit.request(4_100)).toEqual({ kind: 'join' });
    limit.released(7_000);
    expect(limit.request(8_000)).toEqual({ kind: 'start' });
  });

  it('drops a waiting pulse on release (stop) and counts the rest only after an energised pulse', () => {
    const limit = new EnergisedLimit(1_000);
    limit.request(0);
    limit.energised(0);
    limit.released(100);
    expect(limit.request(200)).toEqual({ kind: 'wait', delayMs: 900 });
    limit.released(300);
    expect(limit.request(400)).toEqual({ kind: 'wait', delayMs: 700 });
    limit.released(500);
    expect(limit.request(1_100)).toEqual({ kind: 'start' });
  });
});
