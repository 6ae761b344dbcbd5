import type { BinaryValue, Direction, Edge, ValueCallback } from 'onoff';
import type { GpioLine } from '../../src/hardware/gpio-line.js';

/**
 * A hand-written stand-in for onoff's Gpio (the five members the drivers use),
 * recording what a driver did to each line. Lines are shared through `bank` so a
 * test can look at a line after the driver built it.
 */
export class FakeGpioBank {
  readonly lines = new Map<number, FakeGpio>();
  /** Lines whose writes should throw (a failing relay driver). */
  readonly failingWrites = new Set<number>();

  get Gpio() {
    const bank = this;
    return class implements GpioLine {
      private readonly fake: FakeGpio;
      constructor(line: number, direction: Direction, edge?: Edge) {
        if (bank.lines.get(line)?.exported) throw new Error(`EBUSY: GPIO ${line} already exported`);
        this.fake = new FakeGpio(line, direction, edge ?? 'none', bank);
        bank.lines.set(line, this.fake);
      }
      readSync(): BinaryValue {
        return this.fake.level;
      }
      writeSync(value: BinaryValue): void {
        this.fake.write(value);
      }
      watch(callback: ValueCallback): void {
        this.fake.watchers.push(callback);
      }
      unwatchAll(): void {
        this.fake.watchers.length = 0;
      }
      unexport(): void {
        this.fake.exported = false;
      }
    };
  }

  line(number: number): FakeGpio {
    const line = this.lines.get(number);
    if (!line) throw new Error(`GPIO ${number} was never opened`);
    return line;
  }
}

export class FakeGpio {
  level: BinaryValue;
  exported = true;
  readonly writes: BinaryValue[] = [];
  readonly watchers: ValueCallback[] = [];

  constructor(
    readonly number: number,
    readonly direction: Direction,
    readonly edge: Edge,
    private readonly bank: FakeGpioBank,
  ) {
    this.level = direction === 'high' ? 1 : 0;
  }

  write(value: BinaryValue): void {
    if (!this.exported) throw new Error(`GPIO ${this.number} is unexported`);
    if (this.bank.failingWrites.has(this.number)) throw new Error(`EIO writing GPIO ${this.number}`);
    this.writes.push(value);
    this.level = value;
  }

  /** The input changes level and fires the interrupt, as the kernel would. */
  input(value: BinaryValue, reported: BinaryValue = value): void {
    this.level = value;
    for (const watcher of [...this.watchers]) watcher(null, reported);
  }

  interruptError(error: Error): void {
    for (const watcher of [...this.watchers]) watcher(error, 0);
  }
}
