import { describe, expect, it } from 'vitest';
import { HandshakeRateLimiter } from './handshake-rate-limiter.js';

describe('HandshakeRateLimiter', () => {
  it('lets a burst through, then one per refill interval', () => {
    const limiter = new HandshakeRateLimiter(5, 5);
    const results = Array.from({ length: 8 }, () => limiter.admit('198.51.100.7', 0));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(limiter.admit('198.51.100.7', 100)).toBe(false);
    expect(limiter.admit('198.51.100.7', 200)).toBe(true);
  });

  it('keeps sources apart: a flooding address does not starve a real depot', () => {
    const limiter = new HandshakeRateLimiter(5, 5);
    for (let i = 0; i < 1000; i++) limiter.admit('203.0.113.66', i);
    expect(limiter.admit('192.0.2.10', 1000)).toBe(true);
  });

  it('forgets idle sources and caps how many it tracks', () => {
    const limiter = new HandshakeRateLimiter(5, 5, 100);
    for (let i = 0; i < 150; i++) limiter.admit(`10.0.0.${i}`, 0);
    expect(limiter.size).toBe(100);
    limiter.admit('192.0.2.1', 5_000);
    expect(limiter.size).toBe(1);
  });
});
