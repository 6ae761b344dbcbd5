import { randomBytes } from 'node:crypto';
import { deriveOfflineKey, findOfflinePinCollision, OFFLINE_VARIANTS } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { firstFreeOfflineSlot } from './pins-offline.js';

describe('choosing an offline PIN variant', () => {
  it("agrees with shared's findOfflinePinCollision, with PINs short enough that collisions are common", async () => {
    // A fixed key, so the mix of colliding and free variants below is the same on every run.
    const offlineKey = deriveOfflineKey(new Uint8Array(32).fill(7), 3, 1);
    // 3 digits: 1,000 PINs for over a thousand overlapping slots, so collisions are common.
    const options = { offlineKey, depotId: 3, compartments: 1, digits: 3 };
    let found = 0;
    let none = 0;
    for (let i = 0; i < 16; i++) {
      const base = { compartment: 1, startHour: 480_000 + i * 7, durationCode: i % 3 };
      const taken = new Set(i % 2 === 0 ? [0, 1, 2] : []);
      const expected = Array.from({ length: OFFLINE_VARIANTS }, (_, variant) => variant).find(
        (variant) => !taken.has(variant) && findOfflinePinCollision(options, { ...base, variant }) === null,
      );
      const chosen = await firstFreeOfflineSlot(options, base, taken);
      expect(chosen?.variant, JSON.stringify(base)).toBe(expected);
      if (chosen) found++;
      else none++;
    }
    expect(found).toBeGreaterThan(0);
    expect(none).toBeGreaterThan(0);
  });

  it('takes the first free variant when nothing collides (9 digits), and none when all are issued', async () => {
    const offlineKey = deriveOfflineKey(new Uint8Array(randomBytes(32)), 4, 1);
    const options = { offlineKey, depotId: 4, compartments: 6 };
    const base = { compartment: 2, startHour: 490_000, durationCode: 1 };
    expect(await firstFreeOfflineSlot(options, base, new Set())).toEqual({ ...base, variant: 0 });
    expect(await firstFreeOfflineSlot(options, base, new Set([0, 2]))).toEqual({ ...base, variant: 1 });
    expect(await firstFreeOfflineSlot(options, base, new Set([0, 1, 2, 3]))).toBeNull();
  });
});
