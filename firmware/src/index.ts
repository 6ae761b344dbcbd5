/**
 * @keydepot/firmware: the depot daemon. The simulator and tests build depots
 * from these pieces: config, the daemon, the link and its sockets.
 */
export {
  type DepotConfig,
  DepotConfigError,
  dataPaths,
  loadDepotConfig,
  type ProvisionSummary,
  writeProvisioning,
} from './config.js';
export { type DaemonOptions, type DepotDaemon, FIRMWARE_VERSION, startDepotDaemon } from './daemon.js';
export {
  createSimulatedHardware,
  SimulatedClock,
  type SimulatedHardware,
  type SimulatedHardwareOptions,
} from './hardware/simulated/index.js';
export type { DepotHardware } from './hardware/types.js';
export type { DepotPort } from './link/depot-port.js';
export { nextInitiationStamp } from './link/initiation-stamp.js';
export { Link, type LinkOptions } from './link/link.js';
export { type LinkLogger, silentLogger } from './link/link-logger.js';
export type { LinkSnapshot } from './link/link-snapshot.js';
export { endpointLinkSocket, type LinkSocket } from './link/link-socket.js';
export { DEFAULT_RHYTHM, type Random, type RhythmSettings } from './link/rhythm.js';
export { deriveSeed, seededRandom } from './link/seeded-random.js';
export { fileStampStore, memoryStampStore, type StampStore } from './link/stamp-store.js';
export { udpLinkSocket } from './link/udp-socket.js';
