import type { DepotHardware } from '../types.js';
import { SimulatedClock } from './clock.js';
import { SimulatedCompartment } from './compartment.js';
import { SimulatedKeypad } from './keypad.js';

export interface SimulatedHardwareOptions {
  /** Number of compartments, numbered from 1 (default 6). */
  readonly compartments?: number;
  /** Which compartments have a key sensor: all (true, the default), none (false) or these numbers. */
  readonly keySensors?: boolean | readonly number[];
  /** Whether keys hang in their compartments at the start (default true). */
  readonly keysPresent?: boolean;
  /** Default: a manual SimulatedClock, stopped by close(). */
  readonly clock?: SimulatedClock;
  /** Sensor debounce; 0 (the default) reports contact changes at once. */
  readonly debounceMs?: number;
}

/** A DepotHardware whose parts are simulated, with their handles to drive them. */
export interface SimulatedHardware extends DepotHardware {
  readonly compartments: readonly SimulatedCompartment[];
  readonly keypad: SimulatedKeypad;
  readonly clock: SimulatedClock;
  /** The compartment with this 1-based number. */
  compartment(number: number): SimulatedCompartment;
  readonly closed: boolean;
}

/** Builds simulated depot hardware for tests and the simulator. */
export function createSimulatedHardware(options: SimulatedHardwareOptions = {}): SimulatedHardware {
  const count = options.compartments ?? 6;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`compartments must be ≥ 1, got ${count}`);
  const ownClock = options.clock === undefined;
  const clock = options.clock ?? new SimulatedClock();
  const keySensors = options.keySensors ?? true;
  const hasKeySensor = (number: number): boolean =>
    typeof keySensors === 'boolean' ? keySensors : keySensors.includes(number);
  const compartments = Array.from(
    { length: count },
    (_, index) =>
      new SimulatedCompartment({
        number: index + 1,
        clock,
        keySensor: hasKeySensor(index + 1),
        keyPresent: options.keysPresent,
        debounceMs: options.debounceMs,
      }),
  );
  const keypad = new SimulatedKeypad();
  let closed = false;
  return {
    compartments,
    keypad,
    clock,
    get closed() {
      return closed;
    },
    compartment(number: number): SimulatedCompartment {
      const found = compartments[number - 1];
      if (!found) throw new RangeError(`no compartment ${number} (1-${count})`);
      return found;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const compartment of compartments) compartment.dispose();
      if (ownClock) clock.stop();
    },
  };
}
