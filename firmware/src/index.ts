/**
 * @keydepot/firmware: the depot daemon as the simulator and the benches build
 * depots from it: config, the daemon, simulated hardware, the link's sockets
 * and its seeded randomness.
 */
export { type DepotConfig, loadDepotConfig, writeProvisioning } from './config.js';
export { type DepotDaemon, startDepotDaemon } from './daemon.js';
export { createSimulatedHardware, SimulatedClock, type SimulatedHardware } from './hardware/simulated/index.js';
export { type LinkLogger, silentLogger } from './link/link-logger.js';
export { endpointLinkSocket, type LinkSocket } from './link/link-socket.js';
export { DEFAULT_RHYTHM, type Random, type RhythmSettings } from './link/rhythm.js';
export { deriveSeed, seededRandom } from './link/seeded-random.js';
export { memoryStampStore, type StampStore } from './link/stamp-store.js';
export { udpLinkSocket } from './link/udp-socket.js';
