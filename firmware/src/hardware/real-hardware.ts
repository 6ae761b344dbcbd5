import { SerialPort } from 'serialport';
import { RealClock } from './clock.js';
import { loadGpioLineMap } from './gpio-chip.js';
import type { GpioConstructor } from './gpio-line.js';
import { GpioLock } from './gpio-lock.js';
import { GpioSensor } from './gpio-sensor.js';
import type { HardwareConfig } from './hardware-config.js';
import { type KeypadLog, type KeypadPort, SerialKeypad } from './serial-keypad.js';
import type { Clock, CompartmentHardware, DepotHardware } from './types.js';

/** The GPIO sysfs interface is missing or not ours (no Pi, or the user is not in group gpio). */
export class HardwareUnavailableError extends Error {
  override readonly name = 'HardwareUnavailableError';
}

export interface RealHardwareOptions {
  readonly config: HardwareConfig;
  readonly clock?: Clock;
  /** onoff's Gpio by default; tests hand in a fake. */
  readonly Gpio?: GpioConstructor & { readonly accessible?: boolean };
  /** Opens the keypad's serial port; serialport's SerialPort by default. */
  readonly openSerialPort?: (path: string, baudRate: number) => KeypadPort;
  readonly log?: KeypadLog;
}

/**
 * Builds the depot's hardware from config: locks and sensors on onoff (BCM pins
 * mapped through the gpiochip base), the keypad on serialport. Only the entry
 * point calls this. If a line cannot be opened, the ones already opened are
 * released and freed before the error is thrown.
 */
export async function createRealHardware(options: RealHardwareOptions): Promise<DepotHardware> {
  const { config } = options;
  const clock = options.clock ?? new RealClock();
  const log = options.log ?? { info: () => {}, warn: () => {} };
  // Loaded here, not at import, so the simulator and tests never load the epoll addon.
  const Gpio = options.Gpio ?? (await import('onoff')).Gpio;
  if (Gpio.accessible === false) {
    throw new HardwareUnavailableError(
      'GPIO is not accessible: no /sys/class/gpio/export, or this user is not in the gpio group',
    );
  }
  const lines = await loadGpioLineMap({ sysfsRoot: config.sysfsGpioRoot, label: config.gpioChipLabel });
  const closers: (() => void)[] = [];
  const compartments: CompartmentHardware[] = [];
  const sensor = (bcm: number, inverted: boolean, what: string): GpioSensor => {
    const built = new GpioSensor({
      Gpio,
      line: lines.kernelLine(bcm),
      inverted,
      debounceMs: config.debounceMs,
      clock,
      onError: (error) => log.warn(`${what} (BCM ${bcm}): ${error.message}`),
    });
    closers.push(() => built.close());
    return built;
  };
  try {
    for (const wiring of config.compartments) {
      const lock = new GpioLock({
        Gpio,
        line: lines.kernelLine(wiring.lockPin),
        activeLow: config.relayActiveLow,
        clock,
      });
      closers.push(() => lock.close());
      const door = sensor(wiring.doorPin, config.doorInverted, `compartment ${wiring.number} door`);
      const key =
        wiring.keyPin === undefined
          ? undefined
          : sensor(wiring.keyPin, config.keyInverted, `compartment ${wiring.number} key`);
      compartments.push({ number: wiring.number, lock, door, ...(key ? { key } : {}) });
    }
  } catch (error) {
    closeAll(closers);
    throw error;
  }
  const keypad = openSerialKeypad(options, clock, log);
  let closed = false;
  return {
    compartments,
    keypad,
    clock,
    async close() {
      if (closed) return;
      closed = true;
      // Locks first: a relay must never stay energised because a later step failed.
      closeAll(closers);
      await keypad.close();
    },
  };
}

/** The keypad board on its serial port, from the `keypad` section of the hardware config. */
export function openSerialKeypad(
  options: Pick<RealHardwareOptions, 'config' | 'openSerialPort'>,
  clock: Clock,
  log: KeypadLog,
): SerialKeypad {
  const { path, baudRate } = options.config.keypad;
  const openSerialPort = options.openSerialPort ?? ((p: string, b: number) => new SerialPort({ path: p, baudRate: b }));
  return new SerialKeypad({ openPort: () => openSerialPort(path, baudRate), clock, log });
}

function closeAll(closers: (() => void)[]): void {
  let failure: { error: unknown } | undefined;
  for (const close of closers.splice(0)) {
    try {
      close();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
