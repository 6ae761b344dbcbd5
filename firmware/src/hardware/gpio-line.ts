/**
 * The few members of onoff's Gpio that the drivers use. The real class is handed
 * in by real-hardware.ts; tests hand in a small fake of this shape.
 */
import type { BinaryValue, Direction, Edge, ValueCallback } from 'onoff';

export interface GpioLine {
  readSync(): BinaryValue;
  writeSync(value: BinaryValue): void;
  watch(callback: ValueCallback): void;
  unwatchAll(): void;
  unexport(): void;
}

/** onoff's `Gpio` constructor (kernel GPIO number, not BCM: see gpio-chip.ts). */
export type GpioConstructor = new (gpio: number, direction: Direction, edge?: Edge) => GpioLine;
