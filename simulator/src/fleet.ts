import { join } from 'node:path';
import {
  createSimulatedHardware,
  type DepotDaemon,
  type LinkLogger,
  loadDepotConfig,
  SimulatedClock,
  type SimulatedHardware,
  silentLogger,
  startDepotDaemon,
  udpLinkSocket,
  writeProvisioning,
} from '@keydepot/firmware';
import type { ProvisioningBundle } from '@keydepot/shared';

/** One virtual depot: the real firmware daemon on simulated hardware. */
export interface SimulatedDepot {
  readonly depotId: number;
  readonly name: string;
  readonly hardware: SimulatedHardware;
  readonly daemon: DepotDaemon;
  readonly configDir: string;
}

export interface FleetOptions {
  /** Bundles as the cloud's `depot create` writes them. */
  readonly bundles: readonly ProvisioningBundle[];
  /** Each depot gets `<dataDir>/depot-<id>/` for its config, keys and SQLite file. */
  readonly dataDir: string;
  /** Where the depots dial: overrides the bundle's relay address (the demo's relay runs on 127.0.0.1). */
  readonly relay?: { readonly host: string; readonly port: number };
  /** Simulated time runs this many times faster than real time (default 1). */
  readonly speed?: number;
  readonly logger?: LinkLogger;
}

export interface Fleet {
  readonly depots: readonly SimulatedDepot[];
  depot(depotId: number): SimulatedDepot;
  /** Stops every daemon gracefully (locks released, journals closed). */
  stop(): Promise<void>;
}

/**
 * Starts one daemon per bundle, each provisioned the way a technician does it
 * (`writeProvisioning`, keys with mode 0600), on simulated locks, sensors and
 * keypad, talking real UDP to the relay.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const depots: SimulatedDepot[] = [];
  const stopAll = async () => {
    for (const depot of depots.splice(0).reverse()) {
      await depot.daemon.stop();
      depot.hardware.clock.stop();
    }
  };
  try {
    for (const original of options.bundles) {
      const bundle = options.relay ? { ...original, relay: { ...original.relay, ...options.relay } } : original;
      const configDir = join(options.dataDir, `depot-${bundle.depotId}`);
      writeProvisioning(bundle, configDir, { force: true });
      const config = loadDepotConfig(configDir);
      const clock = new SimulatedClock({ speed: options.speed ?? 1, startWallMs: Date.now() });
      const hardware = createSimulatedHardware({ compartments: bundle.compartments, clock, keySensors: true });
      const daemon = await startDepotDaemon({
        config,
        hardware,
        socketFactory: (address) => udpLinkSocket(address),
        logger: options.logger ?? silentLogger,
        statusIntervalMs: 0,
      });
      depots.push({ depotId: bundle.depotId, name: bundle.name, hardware, daemon, configDir });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    depots,
    depot(depotId) {
      const found = depots.find((d) => d.depotId === depotId);
      if (!found) throw new Error(`no simulated depot ${depotId} in this fleet`);
      return found;
    },
    stop: stopAll,
  };
}
