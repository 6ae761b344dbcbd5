import { loadDepotConfig } from '../config.js';
import { RealClock } from '../hardware/clock.js';
import { createRealHardware } from '../hardware/real-hardware.js';
import { CliError, type CliIo, configDirOf, onlyFlags, type ParsedArgs } from './cli-io.js';
import { runTestHardware } from './test-hardware.js';

/** `keydepot-depot test-hardware [--key-echo-seconds n]`: the installation check, with the daemon stopped. */
export async function testHardwareCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  onlyFlags(args, ['config-dir', 'key-echo-seconds']);
  const config = loadDepotConfig(configDirOf(args, io));
  const echo = args.flags.get('key-echo-seconds');
  const keyEchoSeconds = typeof echo === 'string' ? Number(echo) : 20;
  if (!Number.isInteger(keyEchoSeconds) || keyEchoSeconds < 0) {
    throw new CliError(`--key-echo-seconds must be a whole number of seconds, got '${echo}'`);
  }
  const clock = new RealClock();
  const hardware = await createRealHardware({ config: config.hardware, clock });
  try {
    const report = await runTestHardware({
      hardware,
      stdout: io.stdout,
      clock,
      pulseMs: config.hardware.lockPulseMs,
      keyEchoSeconds,
    });
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    await hardware.close();
  }
}
