import { createInitiation, generateKeyPair, HandshakeResponder, loadCryptoBackend } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { nextInitiationStamp } from './initiation-stamp.js';

describe('nextInitiationStamp', () => {
  it('follows the wall clock while it moves forward', () => {
    expect(nextInitiationStamp(1_000, 5_000)).toBe(5_000);
  });

  it('still grows when the clock went back (no RTC after a power cut)', () => {
    expect(nextInitiationStamp(1_764_288_000_000, 0)).toBe(1_764_288_000_001);
    expect(nextInitiationStamp(5_000, 5_000)).toBe(5_001);
  });

  it('refuses a corrupt stored stamp instead of restarting from zero', () => {
    expect(() => nextInitiationStamp(-1, 0)).toThrow(RangeError);
    expect(() => nextInitiationStamp(Number.NaN, 0)).toThrow(RangeError);
  });

  it('gives stamps a relay accepts, on the portable backend the depot ships with', async () => {
    const depotBackend = await loadCryptoBackend('libsodium-wrappers');
    const relayKeys = generateKeyPair(depotBackend);
    const responder = new HandshakeResponder(depotBackend, relayKeys);
    const staticKeys = generateKeyPair(depotBackend);
    let last = 0;
    let highestSeen = -1;
    for (const wall of [10_000, 9_000, 9_000, 20_000]) {
      last = nextInitiationStamp(last, wall);
      const opened = responder.openInitiation(
        createInitiation({
          backend: depotBackend,
          staticKeys,
          relayPublicKey: relayKeys.publicKey,
          localId: 1,
          stamp: last,
        }).datagram,
      );
      expect(opened.ok && opened.stamp > highestSeen).toBe(true);
      if (opened.ok) highestSeen = opened.stamp;
    }
  });
});
