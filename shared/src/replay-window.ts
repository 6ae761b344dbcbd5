import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_SIZE, REPLAY_WINDOW_WORDS } from './constants.js';

const WORD_BITS = 32;
const WORD_MASK = REPLAY_WINDOW_WORDS - 1;

/**
 * Anti-replay sliding window, RFC 6479 style: a ring of 32-bit words in which
 * moving the window forward clears whole words instead of shifting bits, so an
 * update costs O(1) however far the counter jumps. Accepts every counter
 * once, in any order, as long as it is within REPLAY_WINDOW_SIZE of the newest.
 *
 * Call it only after the telegram's tag has verified: otherwise a forged
 * counter could slide the window and make genuine telegrams look old.
 */
export class ReplayWindow {
  private readonly ring = new Uint32Array(REPLAY_WINDOW_WORDS);
  private newest = -1;

  /** The highest counter accepted so far, or -1. */
  get highest(): number {
    return this.newest;
  }

  /** Records the counter and returns true if it is new and inside the window. */
  accept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0 || counter >= REJECT_AFTER_MESSAGES) return false;
    const wordIndex = Math.floor(counter / WORD_BITS);
    if (counter > this.newest) {
      const currentWord = this.newest < 0 ? -1 : Math.floor(this.newest / WORD_BITS);
      const steps = Math.min(wordIndex - currentWord, REPLAY_WINDOW_WORDS);
      for (let i = 1; i <= steps; i++) this.ring[(currentWord + i) & WORD_MASK] = 0;
      this.newest = counter;
    } else if (this.newest - counter > REPLAY_WINDOW_SIZE) {
      return false;
    }
    const slot = wordIndex & WORD_MASK;
    const bit = 1 << (counter % WORD_BITS);
    const before = this.ring[slot];
    if ((before & bit) !== 0) return false;
    this.ring[slot] = before | bit;
    return true;
  }

  /** True if accept(counter) would succeed; changes nothing. */
  wouldAccept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0 || counter >= REJECT_AFTER_MESSAGES) return false;
    if (counter > this.newest) return true;
    if (this.newest - counter > REPLAY_WINDOW_SIZE) return false;
    return (this.ring[Math.floor(counter / WORD_BITS) & WORD_MASK] & (1 << (counter % WORD_BITS))) === 0;
  }
}
