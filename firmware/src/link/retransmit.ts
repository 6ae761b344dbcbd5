import type { Clock, Timer } from '../hardware/types.js';

/**
 * Waits for an answer and retries on a schedule (rhythm.ts `retransmitWaits`):
 * after each wait but the last, `retry` runs (the caller sends a NEW telegram
 * or a new initiation: nothing is resent byte for byte); after the last wait,
 * `giveUp` runs. `cancel` when the answer came.
 */
export class RetryTimer {
  private attempt = 0;
  private timer: Timer | null = null;
  private cancelled = false;

  constructor(
    private readonly clock: Clock,
    private readonly waits: readonly number[],
    private readonly retry: (attempt: number) => void,
    private readonly giveUp: () => void,
  ) {
    this.arm();
  }

  /** Retransmissions made so far. */
  get retries(): number {
    return this.attempt;
  }

  cancel(): void {
    this.cancelled = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.clock.after(this.waits[this.attempt], () => {
      this.timer = null;
      if (this.cancelled) return;
      if (this.attempt + 1 >= this.waits.length) {
        this.cancelled = true;
        this.giveUp();
        return;
      }
      this.attempt++;
      this.retry(this.attempt);
      if (!this.cancelled) this.arm();
    });
  }
}
