import { resolveSettings } from '../depot/settings.js';
import { RealClock } from '../hardware/clock.js';
import { GpioChipError } from '../hardware/gpio-chip.js';
import {
  createRealHardware,
  HardwareUnavailableError,
  openSerialKeypad,
  type RealHardwareOptions,
} from '../hardware/real-hardware.js';
import type { Clock, DepotHardware } from '../hardware/types.js';
import { readStoredConfig } from '../store/depot-store.js';
import { CliError, type CliIo, loadConfigOf, parseCommandArgs, stringOption } from './cli-io.js';
import { runTestHardware } from './test-hardware.js';

/** The drivers' seams, for tests: onoff's Gpio and serialport's SerialPort by default. */
export type TestHardwareDrivers = Pick<RealHardwareOptions, 'Gpio' | 'openSerialPort'> & { readonly clock?: Clock };

/**
 * `keydepot-depot test-hardware [--key-echo-seconds n]`: the installation check, with the daemon stopped.
 * Without GPIO (no Pi, or not in group gpio) it still checks the configuration and the keypad board, says
 * plainly that locks and sensors were not tested, and exits 1.
 */
export async function testHardwareCommand(
  argv: readonly string[],
  io: CliIo,
  drivers: TestHardwareDrivers = {},
): Promise<number> {
  const args = parseCommandArgs(argv, { 'key-echo-seconds': { type: 'string' } });
  const config = loadConfigOf(args, io);
  const echo = stringOption(args, 'key-echo-seconds');
  const keyEchoSeconds = echo === undefined ? 20 : Number(echo);
  if (!Number.isInteger(keyEchoSeconds) || keyEchoSeconds < 0) {
    throw new CliError(`--key-echo-seconds must be a whole number of seconds, got '${echo}'`);
  }
  io.stdout.write(
    `configuration: ${config.configDir} is valid (depot ${config.depotId}, ` +
      `${config.hardware.compartments.length} compartments wired, keypad ${config.hardware.keypad.path})\n`,
  );
  // The pulse the daemon would give: the depot's unlockPulseMs (default, or as the portal set it by CONFIG).
  const pulseMs = resolveSettings(readStoredConfig(config.databasePath) ?? {}).unlockPulseMs;
  const clock = drivers.clock ?? new RealClock();
  let hardware: DepotHardware;
  let gpioMissing = false;
  try {
    hardware = await createRealHardware({ config: config.hardware, clock, ...drivers });
  } catch (error) {
    if (!(error instanceof HardwareUnavailableError || error instanceof GpioChipError)) throw error;
    gpioMissing = true;
    io.stdout.write(
      `NOTE: GPIO unavailable (${error.message}).\n` +
        'Locks and sensors are NOT tested; checking the keypad board alone.\n',
    );
    const keypad = openSerialKeypad({ config: config.hardware, ...drivers }, clock, { info() {}, warn() {} });
    hardware = { compartments: [], keypad, clock, close: () => keypad.close() };
  }
  try {
    const report = await runTestHardware({ hardware, stdout: io.stdout, clock, pulseMs, keyEchoSeconds });
    return report.failed.length === 0 && !gpioMissing && report.keypadAnswered !== false ? 0 : 1;
  } finally {
    await hardware.close();
  }
}
