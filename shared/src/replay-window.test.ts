import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_SIZE } from './constants.js';
import { ReplayWindow } from './replay-window.js';

describe('ReplayWindow', () => {
  it('is at least 128 counters wide', () => {
    expect(REPLAY_WINDOW_SIZE).toBeGreaterThanOrEqual(128);
  });

  it('accepts each counter once, in order', () => {
    const window = new ReplayWindow();
    for (let counter = 0; counter < 5000; counter++) {
      expect(window.accept(counter)).toBe(true);
      expect(window.accept(counter)).toBe(false);
    }
  });

  it('accepts reordered counters inside the window and refuses those behind it', () => {
    const window = new ReplayWindow();
    expect(window.accept(2000)).toBe(true);
    expect(window.accept(2000 - REPLAY_WINDOW_SIZE)).toBe(true);
    expect(window.accept(2000 - REPLAY_WINDOW_SIZE - 1)).toBe(false);
    expect(window.accept(1999)).toBe(true);
    expect(window.accept(1999)).toBe(false);
  });

  it('clears the ring when the counter jumps far ahead', () => {
    const window = new ReplayWindow();
    for (let counter = 0; counter < 64; counter++) window.accept(counter);
    expect(window.accept(1_000_000)).toBe(true);
    // Counters that share ring slots with the old ones must look new, not replayed.
    expect(window.accept(1_000_000 - 32)).toBe(true);
    expect(window.accept(1_000_000 - 31 * 32)).toBe(true);
  });

  it('refuses counters at or above REJECT_AFTER_MESSAGES', () => {
    const window = new ReplayWindow();
    expect(window.accept(REJECT_AFTER_MESSAGES)).toBe(false);
    expect(window.accept(REJECT_AFTER_MESSAGES - 1)).toBe(true);
    expect(window.accept(Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(window.accept(-1)).toBe(false);
  });

  it('agrees with a reference model on random sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5000 }), { maxLength: 400 }), (counters) => {
        const window = new ReplayWindow();
        const seen = new Set<number>();
        let newest = -1;
        for (const counter of counters) {
          const expected = !seen.has(counter) && (counter > newest || newest - counter <= REPLAY_WINDOW_SIZE);
          expect(window.wouldAccept(counter)).toBe(expected);
          expect(window.accept(counter)).toBe(expected);
          if (expected) {
            seen.add(counter);
            newest = Math.max(newest, counter);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
