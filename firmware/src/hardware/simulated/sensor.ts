import { Debouncer } from '../debouncer.js';
import { Listeners } from '../listeners.js';
import type { BinarySensor, Clock } from '../types.js';

export interface SimulatedSensorOptions {
  readonly initial: boolean;
  readonly clock: Pick<Clock, 'after'>;
  /** 0 (the default) reports changes at once; more makes set() go through the real debounce. */
  readonly debounceMs?: number;
}

/**
 * A contact you set by hand (door reed contact: true = open; key sensor: true =
 * present). The raw level runs through the same Debouncer as the GPIO driver, so
 * a test can also feed it contact bounce.
 */
export class SimulatedSensor implements BinarySensor {
  private readonly listeners = new Listeners<boolean>();
  private readonly debouncer: Debouncer;
  private rawLevel: boolean;

  constructor(options: SimulatedSensorOptions) {
    this.rawLevel = options.initial;
    this.debouncer = new Debouncer({
      initial: options.initial,
      debounceMs: options.debounceMs ?? 0,
      clock: options.clock,
      onChange: (value) => this.listeners.emit(value),
    });
  }

  read(): boolean {
    return this.debouncer.value;
  }

  onChange(listener: (value: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  /** The undebounced level, as the contact is now. */
  get raw(): boolean {
    return this.rawLevel;
  }

  /** Sets the contact's level (every call is one edge, even a repeat: that is how bounce looks). */
  set(value: boolean): void {
    this.rawLevel = value;
    this.debouncer.feed(value);
  }

  /** Stops a pending debounce; used on close. */
  dispose(): void {
    this.debouncer.dispose();
    this.listeners.clear();
  }
}
