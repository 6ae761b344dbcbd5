/**
 * GPIO lines as files, the way sysfs shows them: `<dir>/gpio<N>` holds 0 or 1
 * and is written synchronously on every writeSync. A test reads a relay line's
 * level from the file after the process that drove it has died, as one could
 * read /sys/class/gpio/gpioN/value on a Pi. `injectFault` makes this driver
 * throw from its own callback (an uncaught exception) or reject a promise
 * nobody awaits, as a broken native driver might.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryValue, Direction, Edge, ValueCallback } from 'onoff';
import type { GpioConstructor, GpioLine } from '../../src/hardware/gpio-line.js';

export function lineFile(dir: string, line: number): string {
  return join(dir, `gpio${line}`);
}

/** A line's level as the file shows it. */
export function readLine(dir: string, line: number): BinaryValue {
  return readFileSync(lineFile(dir, line), 'utf8').trim() === '1' ? 1 : 0;
}

export function fileGpio(dir: string): GpioConstructor {
  return class FileGpio implements GpioLine {
    private readonly path: string;
    constructor(line: number, direction: Direction, _edge?: Edge) {
      this.path = lineFile(dir, line);
      if (direction === 'high' || direction === 'low') this.writeSync(direction === 'high' ? 1 : 0);
      else if (!existsSync(this.path)) writeFileSync(this.path, '0\n');
    }
    readSync(): BinaryValue {
      return readFileSync(this.path, 'utf8').trim() === '1' ? 1 : 0;
    }
    writeSync(value: BinaryValue): void {
      writeFileSync(this.path, `${value}\n`);
    }
    watch(_callback: ValueCallback): void {}
    unwatchAll(): void {}
    unexport(): void {}
  };
}

/** A fault inside the driver: thrown from its callback, or a rejection nobody handles. */
export function injectFault(kind: 'throw' | 'reject'): void {
  if (kind === 'throw') {
    setImmediate(() => {
      throw new Error('EIO: injected fault in the GPIO driver');
    });
  } else {
    void Promise.reject(new Error('EIO: injected rejection in the GPIO driver'));
  }
}
