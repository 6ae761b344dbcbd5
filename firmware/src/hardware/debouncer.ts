import type { Clock } from './types.js';

export interface DebouncerOptions {
  /** The level the input starts at; no change is reported for it. */
  readonly initial: boolean;
  /** How long the input must stay quiet before a new level counts; 0 reports every change at once. */
  readonly debounceMs: number;
  readonly clock: Pick<Clock, 'after'>;
  /** Called once per settled change of the level. */
  readonly onChange: (value: boolean) => void;
  /**
   * Reads the level again when the input has gone quiet. A GPIO interrupt can report
   * a value that has already changed again by the time the callback runs, so the
   * real driver samples the line here; without it the last fed level counts.
   */
  readonly sample?: () => boolean;
}

/**
 * Software debounce for a contact (reed switch, microswitch): every edge restarts a
 * quiet period; when it ends, the level is taken and reported if it differs from
 * the last reported one. A bounce that ends where it started reports nothing.
 */
export class Debouncer {
  private stable: boolean;
  private last: boolean;
  private timer: { cancel(): void } | undefined;
  private edges = 0;

  constructor(private readonly options: DebouncerOptions) {
    this.stable = options.initial;
    this.last = options.initial;
  }

  /** The last settled level. */
  get value(): boolean {
    return this.stable;
  }

  /** Edges seen so far (for diagnostics: a noisy cable shows many edges per change). */
  get edgeCount(): number {
    return this.edges;
  }

  /** Reports a raw level from the input (an interrupt, a poll, a simulated contact). */
  feed(raw: boolean): void {
    this.edges++;
    this.last = raw;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.options.debounceMs <= 0) {
      this.settle();
      return;
    }
    this.timer = this.options.clock.after(this.options.debounceMs, () => {
      this.timer = undefined;
      this.settle();
    });
  }

  /** Stops a pending quiet period; nothing more is reported. */
  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private settle(): void {
    const level = this.options.sample ? this.options.sample() : this.last;
    if (level === this.stable) return;
    this.stable = level;
    this.options.onChange(level);
  }
}
