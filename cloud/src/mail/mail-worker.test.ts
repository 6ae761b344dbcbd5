import { describe, expect, it } from 'vitest';
import { scrubServerAnswer } from './mail-transport.js';
import { MAIL_MAX_ATTEMPTS, retryDelayMs } from './mail-worker.js';

describe('mail retries', () => {
  it('backs off from a minute, doubling, to at most six hours', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(retryDelayMs(20)).toBe(6 * 3600_000);
    const total = Array.from({ length: MAIL_MAX_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1)).reduce((a, b) => a + b);
    // Given up after roughly a day of trying, not after minutes and not after weeks.
    expect(total).toBeGreaterThan(12 * 3600_000);
    expect(total).toBeLessThan(48 * 3600_000);
  });

  it('keeps addresses and credentials out of what it stores about a failure', () => {
    expect(scrubServerAnswer('550 5.1.1 <kunde@example.org>: Recipient address rejected')).toBe(
      '550 5.1.1 <<address>>: Recipient address rejected',
    );
    expect(scrubServerAnswer('ECONNREFUSED: connect to smtp://kasse:geheim@mail.example.org failed')).not.toContain(
      'geheim',
    );
  });
});
