/**
 * The depot's hardware, one small interface per device (docs/conventions.md, I/O behind interfaces). Each has a
 * real driver (onoff GPIO, serialport keypad) and a simulated one; the depot
 * core sees only these interfaces, handed in by the entry point.
 */

/** A compartment's lock: an electric strike or latch driven through a relay. */
export interface CompartmentLock {
  /** Energises the relay for `durationMs`, then releases it. Resolves when released. */
  pulse(durationMs: number): Promise<void>;
  /** Releases the relay at once (shutdown, or a pulse cut short). */
  release(): void;
}

/** A debounced binary input: a door contact (true = open) or a key-presence sensor (true = present). */
export interface BinarySensor {
  /** The current debounced state. */
  read(): boolean;
  /** Called on every debounced change; returns a function that unsubscribes. */
  onChange(listener: (value: boolean) => void): () => void;
}

export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';
export type Beep = 'key' | 'ok' | 'error';
export type LedColour = 'off' | 'green' | 'red' | 'amber';

/** The keypad controller: keys in; display text, beeps and an LED out. */
export interface Keypad {
  onKey(listener: (key: KeypadKey) => void): () => void;
  /** Up to two lines of 16 characters; longer text is cut by the controller. */
  display(line1: string, line2?: string): void;
  beep(kind: Beep): void;
  led(colour: LedColour): void;
  /** Asks the board to answer (PING/PONG); true when it did within `timeoutMs`. Absent: cannot be asked. */
  ping?(timeoutMs: number): Promise<boolean>;
}

/** A one-shot timer from a Clock. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the hardware knows it. The wall clock of a Raspberry Pi without an RTC
 * is not trustworthy after a power cut; the depot core derives trusted time from
 * the relay's TIME frames plus `monotonicMs`. Timers go through the clock so the
 * simulator can run a week in seconds.
 */
export interface Clock {
  /** The system's wall clock, ms since the Unix epoch (untrusted). */
  wallMs(): number;
  /** Milliseconds from an arbitrary start, never going backwards while the process runs. */
  monotonicMs(): number;
  /** Runs `task` once after `delayMs` (by this clock). */
  after(delayMs: number, task: () => void): Timer;
}

export interface CompartmentHardware {
  /** 1-based, as on the wire. */
  readonly number: number;
  readonly lock: CompartmentLock;
  readonly door: BinarySensor;
  /** Absent when the compartment has no key-presence sensor. */
  readonly key?: BinarySensor;
}

/** Everything a depot drives, built by the entry point (real) or the simulator. */
export interface DepotHardware {
  readonly compartments: readonly CompartmentHardware[];
  readonly keypad: Keypad;
  readonly clock: Clock;
  /** Releases every lock and frees GPIO lines and the serial port. */
  close(): Promise<void>;
}
