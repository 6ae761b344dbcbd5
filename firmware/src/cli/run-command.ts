import { loadDepotConfig } from '../config.js';
import { startDepotDaemon } from '../daemon.js';
import { RealClock } from '../hardware/clock.js';
import { createRealHardware } from '../hardware/real-hardware.js';
import { createSimulatedHardware, SimulatedClock } from '../hardware/simulated/index.js';
import type { DepotHardware } from '../hardware/types.js';
import { udpLinkSocket } from '../link/udp-socket.js';
import { type CliIo, configDirOf, onlyFlags, type ParsedArgs } from './cli-io.js';
import { createLogger } from './logger.js';

/**
 * `keydepot-depot run [--simulated-hardware] [--log-level level]`: the daemon.
 * Real drivers from depot.json's hardware section, or simulated ones on the
 * bench; SIGINT/SIGTERM stop it gracefully (locks released, database closed).
 */
export async function runCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  onlyFlags(args, ['config-dir', 'simulated-hardware', 'log-level']);
  const config = loadDepotConfig(configDirOf(args, io));
  const level = args.flags.get('log-level');
  const logger = createLogger(typeof level === 'string' ? level : (io.env.KEYDEPOT_LOG_LEVEL ?? 'info'));
  let hardware: DepotHardware;
  let simulatedClock: SimulatedClock | undefined;
  if (args.flags.get('simulated-hardware') === true) {
    // The simulated clock at real speed: timers and the wall clock behave as on a real depot.
    simulatedClock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
    hardware = createSimulatedHardware({ compartments: config.compartments, clock: simulatedClock });
  } else {
    hardware = await createRealHardware({
      config: config.hardware,
      clock: new RealClock(),
      log: { info: (message) => logger.info({}, message), warn: (message) => logger.warn({}, message) },
    });
  }
  const daemon = await startDepotDaemon({
    config,
    hardware,
    logger,
    socketFactory: (relay) =>
      udpLinkSocket({ ...relay, onError: (error) => logger.debug({ err: error.message }, 'udp send failed') }),
  });
  const signal = await io.untilStopSignal();
  logger.info({ signal }, 'stopping');
  await daemon.stop();
  simulatedClock?.stop();
  return 0;
}
