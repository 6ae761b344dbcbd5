import { describe, expect, it } from 'vitest';
import { HandshakeRateLimiter } from './handshake-rate-limiter.js';

describe('HandshakeRateLimiter', () => {
  it('lets a burst through, then one per refill interval', () => {
    const limiter = new HandshakeRateLimiter({ perSecond: 5, burst: 5 });
    const results = Array.from({ length: 8 }, () => limiter.admit('198.51.100.7', 0));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(limiter.admit('198.51.100.7', 100)).toBe(false);
    expect(limiter.admit('198.51.100.7', 200)).toBe(true);
  });

  it('keeps sources apart: a flooding address does not starve a real depot', () => {
    const limiter = new HandshakeRateLimiter({ perSecond: 5, burst: 5 });
    for (let i = 0; i < 1000; i++) limiter.admit('203.0.113.66', i);
    expect(limiter.admit('192.0.2.10', 1000)).toBe(true);
  });

  it('when full, forgets the least recently seen source instead of refusing new ones', () => {
    const limiter = new HandshakeRateLimiter({ maxSources: 100, globalPerSecond: 1_000_000 });
    for (let i = 0; i < 150; i++) limiter.admit(`10.0.0.${i}`, 0);
    expect(limiter.size).toBe(100);
    expect(limiter.admit('192.0.2.1', 1)).toBe(true);
    expect(limiter.size).toBe(100);
  });

  it('caps untrusted sources globally, while a trusted source keeps its lane', () => {
    const limiter = new HandshakeRateLimiter({ globalPerSecond: 10 });
    limiter.trust('192.0.2.1', 0);
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (limiter.admit(`10.0.${i >> 8}.${i & 255}`, 10)) admitted++;
    expect(admitted).toBe(10);
    expect(limiter.admit('198.51.100.9', 10)).toBe(false);
    expect(limiter.admit('192.0.2.1', 10)).toBe(true);
    // The budget refills with time.
    expect(limiter.admit('198.51.100.9', 1_010)).toBe(true);
  });

  it('lets trust expire', () => {
    const limiter = new HandshakeRateLimiter({ globalPerSecond: 1, trustedForMs: 1_000 });
    limiter.trust('192.0.2.1', 0);
    expect(limiter.admit('10.0.0.1', 0)).toBe(true);
    expect(limiter.admit('192.0.2.1', 500)).toBe(true);
    expect(limiter.admit('10.0.0.2', 500)).toBe(false);
    // After expiry the former depot competes for the global budget like anyone else.
    expect(limiter.admit('10.0.0.3', 1_500)).toBe(true);
    expect(limiter.admit('192.0.2.1', 1_500)).toBe(false);
  });

  it('keeps a source that goes on talking trusted, renewing its lease only now and then', () => {
    const limiter = new HandshakeRateLimiter({ globalPerSecond: 1, trustedForMs: 1_000 });
    for (let t = 0; t <= 5_000; t += 50) limiter.trust('192.0.2.1', t);
    expect(limiter.admit('10.0.0.1', 5_000)).toBe(true);
    expect(limiter.admit('10.0.0.2', 5_000)).toBe(false);
    // Lease renewed at most 100 ms (a tenth) before the last telegram: it still holds 900 ms later.
    expect(limiter.admit('192.0.2.1', 5_900)).toBe(true);
    // After it the source competes for the global budget, which another source has just spent.
    expect(limiter.admit('10.0.0.3', 6_100)).toBe(true);
    expect(limiter.admit('192.0.2.1', 6_100)).toBe(false);
  });

  it('gives cookie holders a lane per address and port that a flood from the same address cannot spend', () => {
    const limiter = new HandshakeRateLimiter({ perSecond: 5, burst: 5 });
    for (let i = 0; i < 1000; i++) limiter.admit('198.51.100.7', 1000);
    expect(limiter.admit('198.51.100.7', 1000)).toBe(false);
    expect(limiter.admitProven('198.51.100.7:40001', 1000)).toBe(true);
    // Per port: a cookie holder on another port of the same address has its own bucket.
    for (let i = 0; i < 4; i++) expect(limiter.admitProven('198.51.100.7:40001', 1000)).toBe(true);
    expect(limiter.admitProven('198.51.100.7:40001', 1000)).toBe(false);
    expect(limiter.admitProven('198.51.100.7:40002', 1000)).toBe(true);
    expect(limiter.provenSize).toBe(2);
  });

  it('caps cookie holders globally with a budget of their own', () => {
    const limiter = new HandshakeRateLimiter({ globalPerSecond: 10, provenPerSecond: 3 });
    // Sources without cookies spend their whole budget: cookie holders still get theirs.
    for (let i = 0; i < 100; i++) limiter.admit(`10.0.0.${i}`, 0);
    expect(limiter.admit('10.0.1.1', 0)).toBe(false);
    const proven = Array.from({ length: 5 }, (_, i) => limiter.admitProven(`10.0.2.${i}:1`, 0));
    expect(proven).toEqual([true, true, true, false, false]);
    // On this lane only the trusted endpoint skips the global budget, not its whole address.
    limiter.trust('192.0.2.1', 0);
    limiter.trust('192.0.2.1:7', 0);
    expect(limiter.admitProven('192.0.2.1:8', 0)).toBe(false);
    expect(limiter.admitProven('192.0.2.1:7', 0)).toBe(true);
  });
});
