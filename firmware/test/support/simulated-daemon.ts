/**
 * The real depot daemon (core, SQLite file, link over real UDP) on simulated
 * hardware whose clock runs `speed` times real time: the start-up that the
 * offline tests in firmware/test and e2e/ share. `stop()` stops the daemon,
 * then its clock.
 */
import type { DepotConfig } from '../../src/config.js';
import { type DepotDaemon, startDepotDaemon } from '../../src/daemon.js';
import { createSimulatedHardware, SimulatedClock } from '../../src/hardware/simulated/index.js';
import { udpLinkSocket } from '../../src/link/udp-socket.js';

export interface SimulatedDaemon {
  readonly daemon: DepotDaemon;
  readonly hardware: ReturnType<typeof createSimulatedHardware>;
  readonly clock: SimulatedClock;
  stop(): Promise<void>;
}

export async function startSimulatedDaemon(
  config: DepotConfig,
  options: { speed: number; compartments?: number },
): Promise<SimulatedDaemon> {
  const clock = new SimulatedClock({ speed: options.speed, startWallMs: Date.now() });
  const hardware = createSimulatedHardware({ compartments: options.compartments ?? 4, clock });
  const daemon = await startDepotDaemon({
    config,
    hardware,
    socketFactory: (address) => udpLinkSocket(address),
    statusIntervalMs: 0,
  });
  return {
    daemon,
    hardware,
    clock,
    stop: async () => {
      await daemon.stop();
      clock.stop();
    },
  };
}
