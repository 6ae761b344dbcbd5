/**
 * The daemon of the RSS benchmark's check-in storm: the same firmware as
 * `keydepot-depot run --simulated-hardware` (config folder, pino logger at
 * info, simulated hardware at real speed, UDP to the relay), but with the
 * storm's rhythm (a check-in every 10 ms) and a door moving every 5 ms.
 * bench/firmware/rss.ts bundles this file with scripts/build-depot.ts, exactly
 * as the shipped daemon is bundled, and runs it under the same node flags.
 *
 *   node firmware/dist/bench-storm-daemon.mjs <config dir>
 */

import { createLogger } from '../../firmware/src/cli/logger.js';
import { loadDepotConfig } from '../../firmware/src/config.js';
import { startDepotDaemon } from '../../firmware/src/daemon.js';
import { createSimulatedHardware, SimulatedClock } from '../../firmware/src/hardware/simulated/index.js';
import { udpLinkSocket } from '../../firmware/src/link/udp-socket.js';

const config = loadDepotConfig(process.argv[2] ?? '');
const clock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
const hardware = createSimulatedHardware({ compartments: config.compartments, clock });
const daemon = await startDepotDaemon({
  config,
  hardware,
  logger: createLogger('info'),
  socketFactory: (relay) => udpLinkSocket(relay),
  rhythm: { checkInIntervalMs: 10, checkInJitterMs: 2, journalFlushMs: 5, retransmitMinMs: 200, retransmitMaxMs: 300 },
});
process.once('SIGTERM', () => {
  void daemon.stop().then(() => {
    clock.stop();
    process.exit(0);
  });
});
// Doors open and close all the time: every movement is a journaled event to send.
let n = 0;
setInterval(() => {
  const compartment = hardware.compartment(1 + (n++ % config.compartments));
  if (compartment.doorOpen) compartment.closeDoor();
  else compartment.openDoor({ force: true });
}, 5);
