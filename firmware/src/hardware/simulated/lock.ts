import { Listeners } from '../listeners.js';
import type { Clock, CompartmentLock, Timer } from '../types.js';

/** One recorded pulse of a simulated lock. */
export interface LockPulse {
  /** Monotonic clock time when the relay was energised. */
  readonly atMs: number;
  readonly durationMs: number;
  /** Set when release() cut the pulse short. */
  cutShortAtMs?: number;
}

/**
 * A lock whose relay is a flag: it records every pulse and is "unlocked" while
 * energised, like an electric strike that lets the door be pushed open.
 * A pulse during a pulse shares it without extending it, as the GPIO driver does.
 */
export class SimulatedLock implements CompartmentLock {
  readonly pulses: LockPulse[] = [];
  private current: { pulse: LockPulse; timer: Timer; waiters: (() => void)[] } | undefined;
  private failure: Error | undefined;
  private readonly changes = new Listeners<boolean>();

  constructor(private readonly clock: Clock) {}

  /** True unless the relay is energised. */
  get locked(): boolean {
    return this.current === undefined;
  }

  /** Called with the new `locked` state on every change. */
  onStateChange(listener: (locked: boolean) => void): () => void {
    return this.changes.add(listener);
  }

  /** The next pulse() rejects with `error` without energising (a relay driver fault). */
  failNextPulse(error: Error): void {
    this.failure = error;
  }

  pulse(durationMs: number): Promise<void> {
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    return new Promise((resolve) => {
      if (this.current) {
        this.current.waiters.push(resolve);
        return;
      }
      const pulse: LockPulse = { atMs: this.clock.monotonicMs(), durationMs };
      this.pulses.push(pulse);
      const timer = this.clock.after(durationMs, () => this.deenergise(undefined));
      this.current = { pulse, timer, waiters: [resolve] };
      this.changes.emit(false);
    });
  }

  release(): void {
    this.deenergise(this.clock.monotonicMs());
  }

  private deenergise(cutShortAtMs: number | undefined): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    current.timer.cancel();
    if (cutShortAtMs !== undefined) current.pulse.cutShortAtMs = cutShortAtMs;
    for (const resolve of current.waiters) resolve();
    this.changes.emit(true);
  }
}
