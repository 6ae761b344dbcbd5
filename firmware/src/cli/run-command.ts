import { RealClock } from '../hardware/clock.js';
import { createRealHardware } from '../hardware/real-hardware.js';
import { createSimulatedHardware, SimulatedClock } from '../hardware/simulated/index.js';
import type { DepotHardware } from '../hardware/types.js';
import { renewingUdpSocket } from '../service/renewing-socket.js';
import { runDepotService } from '../service/run-service.js';
import { type CliIo, loadConfigOf, parseCommandArgs, stringOption } from './cli-io.js';
import { createLogger } from './logger.js';

/**
 * `keydepot-depot run [--simulated-hardware] [--log-level level]`: the daemon.
 * Real drivers from depot.json's hardware section, or simulated ones on the
 * bench; SIGINT/SIGTERM stop it gracefully (locks released, database closed).
 */
export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { 'simulated-hardware': { type: 'boolean' }, 'log-level': { type: 'string' } });
  const config = loadConfigOf(args, io);
  const logger = createLogger(stringOption(args, 'log-level') ?? io.env.KEYDEPOT_LOG_LEVEL ?? 'info');
  let hardware: DepotHardware;
  let simulatedClock: SimulatedClock | undefined;
  if (args.values['simulated-hardware'] === true) {
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
  try {
    await runDepotService({
      config,
      hardware,
      logger,
      env: io.env,
      hooks: process,
      untilStopSignal: io.untilStopSignal,
      socketFactory: (relay) => renewingUdpSocket(relay, hardware.clock, logger),
    });
  } finally {
    simulatedClock?.stop();
  }
  return 0;
}
