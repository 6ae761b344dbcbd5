import { Debouncer } from './debouncer.js';
import type { GpioConstructor, GpioLine } from './gpio-line.js';
import { Listeners } from './listeners.js';
import type { BinarySensor, Clock } from './types.js';

export interface GpioSensorOptions {
  readonly Gpio: GpioConstructor;
  /** Kernel GPIO number (mapped from BCM). */
  readonly line: number;
  /**
   * false: a high line reads true (a door contact to ground with a pull-up: closed
   * door = low, open door or cut wire = high). true: a low line reads true (a key
   * microswitch or hall sensor pulling low while the key hangs there).
   */
  readonly inverted: boolean;
  readonly debounceMs: number;
  readonly clock: Pick<Clock, 'after'>;
  /** GPIO read errors inside the interrupt callback (the driver keeps the last level). */
  readonly onError?: (error: Error) => void;
}

/** A contact on a GPIO input, watched by interrupt on both edges and debounced in software. */
export class GpioSensor implements BinarySensor {
  private readonly gpio: GpioLine;
  private readonly debouncer: Debouncer;
  private readonly listeners = new Listeners<boolean>();
  private closed = false;

  constructor(options: GpioSensorOptions) {
    this.gpio = new options.Gpio(options.line, 'in', 'both');
    const level = (raw: number): boolean => (raw === 1) !== options.inverted;
    let last = level(this.gpio.readSync());
    this.debouncer = new Debouncer({
      initial: last,
      debounceMs: options.debounceMs,
      clock: options.clock,
      onChange: (value) => this.listeners.emit(value),
      // The edge's value can be stale by the time the callback runs: read the line once it is quiet.
      sample: () => {
        try {
          last = level(this.gpio.readSync());
        } catch (error) {
          options.onError?.(error as Error);
        }
        return last;
      },
    });
    this.gpio.watch((error, value) => {
      if (this.closed) return;
      if (error) {
        options.onError?.(error);
        return;
      }
      last = level(value);
      this.debouncer.feed(last);
    });
  }

  read(): boolean {
    return this.debouncer.value;
  }

  onChange(listener: (value: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Stops watching and frees the line. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.debouncer.dispose();
    this.gpio.unwatchAll();
    this.gpio.unexport();
    this.listeners.clear();
  }
}
