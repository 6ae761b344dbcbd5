import type { GpioConstructor, GpioLine } from './gpio-line.js';
import type { Clock, CompartmentLock, Timer } from './types.js';

export interface GpioLockOptions {
  readonly Gpio: GpioConstructor;
  /** Kernel GPIO number of the relay's input (mapped from BCM). */
  readonly line: number;
  /** Most relay boards switch on a low input (optocoupler to VCC). */
  readonly activeLow: boolean;
  readonly clock: Pick<Clock, 'after'>;
}

/**
 * A lock driven by a relay on one GPIO output. The line is opened with its
 * released level as the initial level ('high' for active-low boards), so opening
 * it never clicks the relay. Every path out of a pulse (timer, release, close,
 * a failed write) writes the released level.
 */
export class GpioLock implements CompartmentLock {
  private readonly gpio: GpioLine;
  private readonly on: 0 | 1;
  private readonly off: 0 | 1;
  private current: { timer: Timer; waiters: { resolve: () => void; reject: (e: unknown) => void }[] } | undefined;
  private closed = false;

  constructor(private readonly options: GpioLockOptions) {
    this.on = options.activeLow ? 0 : 1;
    this.off = options.activeLow ? 1 : 0;
    this.gpio = new options.Gpio(options.line, options.activeLow ? 'high' : 'low');
  }

  pulse(durationMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`lock on GPIO ${this.options.line} is closed`));
    return new Promise((resolve, reject) => {
      // A pulse during a pulse shares it and does not extend it: the relay is never energised longer than
      // the first pulse asked for, however many pulses arrive.
      if (this.current) {
        this.current.waiters.push({ resolve, reject });
        return;
      }
      const waiters = [{ resolve, reject }];
      try {
        this.gpio.writeSync(this.on);
      } catch (error) {
        this.releaseLine();
        for (const waiter of waiters) waiter.reject(error);
        return;
      }
      const timer = this.options.clock.after(durationMs, () => this.finish());
      this.current = { timer, waiters };
    });
  }

  release(): void {
    this.finish();
  }

  /** Releases the relay and frees the line. */
  close(): void {
    if (this.closed) return;
    this.finish();
    this.closed = true;
    this.gpio.unexport();
  }

  private finish(): void {
    const current = this.current;
    this.current = undefined;
    current?.timer.cancel();
    const error = this.releaseLine();
    for (const waiter of current?.waiters ?? []) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** Writes the released level; returns the error if the write failed (the caller reports it). */
  private releaseLine(): unknown {
    try {
      this.gpio.writeSync(this.off);
      return undefined;
    } catch (error) {
      return error;
    }
  }
}
