import { join } from 'node:path';
import {
  createSimulatedHardware,
  type DepotConfig,
  type DepotDaemon,
  deriveSeed,
  type LinkLogger,
  type LinkSocket,
  loadDepotConfig,
  memoryStampStore,
  type RhythmSettings,
  type SimulatedClock,
  type SimulatedHardware,
  type StampStore,
  seededRandom,
  silentLogger,
  startDepotDaemon,
  udpLinkSocket,
  writeProvisioning,
} from '@keydepot/firmware';
import { type Address, type CryptoBackend, loadBestCryptoBackend, type ProvisioningBundle } from '@keydepot/shared';
import { createFleetClock, FleetClock } from './fleet-clock.js';

export { createFleetClock, FleetClock, type FleetClockOptions, relayClock } from './fleet-clock.js';

import { DepotLine, type LineStats } from './network/depot-line.js';
import { checkConditions, type NetworkConditions, PERFECT_NETWORK } from './network/network-shim.js';

/** One virtual depot: the real firmware daemon on simulated hardware, behind its own network line. */
export interface SimulatedDepot {
  readonly depotId: number;
  readonly name: string;
  /** Keypad, doors, keys and locks to drive; the same hardware across power cycles. */
  readonly hardware: SimulatedHardware;
  /** The daemon of the current boot (a new one after each power cycle). Throws while powered off. */
  readonly daemon: DepotDaemon;
  readonly configDir: string;
  readonly poweredOn: boolean;
  /** The depot's network line: cut state and what the shim did to its datagrams. */
  readonly line: DepotLine;
  /** Pulls the depot's network cable: every datagram either way is lost until restoreNetwork(). */
  cutNetwork(): void;
  restoreNetwork(): void;
  /**
   * A power cut: the daemon stops where it is. Timers and listeners go, the
   * relays drop out (locks close), nothing more is written (no clock floor, no
   * status file); the SQLite file keeps what was committed.
   */
  powerOff(): void;
  /** Boots a new daemon on the same hardware and files (a BOOT event, a new handshake). */
  powerOn(): Promise<void>;
  /** powerOff() then powerOn() at once; for downtime, call them apart and advance the clock between. */
  powerCycle(): Promise<void>;
}

export interface FleetOptions {
  /** Bundles as the cloud's `depot create` writes them. */
  readonly bundles: readonly ProvisioningBundle[];
  /** Each depot gets `<dataDir>/depot-<id>/` for its config, keys and SQLite file. */
  readonly dataDir: string;
  /** Where the depots dial: overrides the bundle's relay address (the demo's relay runs on 127.0.0.1). */
  readonly relay?: { readonly host: string; readonly port: number };
  /**
   * The fleet's one clock, shared by every depot. Make it first with
   * createFleetClock() and give the relay `clock: relayClock(clock)`, so
   * TIME frames, command expiry and online/offline agree at any speed.
   * Default: a clock of its own at `speed`.
   */
  readonly clock?: SimulatedClock;
  /** Without `clock`: simulated time runs this many times faster than real time (default 1). */
  readonly speed?: number;
  /**
   * 'file' (default): `<dataDir>/depot-<id>/depot.sqlite`, which a power cycle
   * boots on again. 'memory': no disk; a power cycle boots on an empty store,
   * like a depot whose SD card was replaced (new journal epoch, no PINs).
   */
  readonly storage?: 'file' | 'memory';
  /** The shim's conditions (loss, duplication, reordering, delay, outages); default: a perfect network. */
  readonly network?: NetworkConditions;
  /** NAT rebinding: each depot's source port changes this often (simulated ms). Default: never. */
  readonly natRebindEveryMs?: number;
  /** Seed of every network decision and of the links' jitter (default 1). */
  readonly seed?: number;
  /**
   * Opens one socket to the relay (one per NAT mapping). Default: real UDP.
   * For the in-memory network: `(relay) => endpointLinkSocket(network.bind(), relay)`.
   */
  readonly openSocket?: (relay: Address) => LinkSocket;
  /** Link timings (protocol §10); default the protocol's. */
  readonly rhythm?: Partial<RhythmSettings>;
  readonly logger?: LinkLogger;
  /**
   * Build each depot's offline-PIN candidate table (default true): about 7,800 HMACs per boot and
   * a collision check per PIN added, CPU a fleet test of the link may leave out.
   */
  readonly offlinePins?: boolean;
  /** Default: sodium-native where it loads, else WASM (loaded once for the whole fleet). */
  readonly backend?: CryptoBackend;
}

export interface Fleet {
  readonly depots: readonly SimulatedDepot[];
  depot(depotId: number): SimulatedDepot;
  /** The clock of every depot (and, if wired as documented, the relay's). */
  readonly clock: SimulatedClock;
  /** Moves simulated time forward, running every timer due on the way and letting I/O settle between them. */
  advance(ms: number): Promise<void>;
  /** Changes the speed-up factor from now on; undefined = manual, time moves only through advance(). */
  setSpeed(speed: number | undefined): void;
  /** The shim's conditions now. */
  readonly network: NetworkConditions;
  /** New conditions for every depot from the next datagram on. */
  setNetwork(conditions: NetworkConditions): void;
  /** Sums of every depot's line statistics. */
  networkStats(): LineStats;
  /** Stops every powered daemon gracefully (locks released, journals closed). */
  stop(): Promise<void>;
}

/**
 * Starts one daemon per bundle, each provisioned the way a technician does it
 * (`writeProvisioning`, keys with mode 0600), on simulated locks, sensors and
 * keypad, talking to the relay through its own line (shim and NAT) over real
 * UDP or the in-memory network.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const ownClock = options.clock === undefined;
  const clock = options.clock ?? createFleetClock({ speed: options.speed ?? 1 });
  const pacer = clock instanceof FleetClock ? clock.pacer : undefined;
  const seed = options.seed ?? 1;
  let conditions = checkConditions(options.network ?? PERFECT_NETWORK);
  const backend = options.backend ?? (await loadBestCryptoBackend());
  const openSocket = options.openSocket ?? ((relay: Address) => udpLinkSocket(relay));
  const depots: SimulatedDepot[] = [];

  const stopAll = async () => {
    for (const depot of depots.splice(0).reverse()) {
      if (depot.poweredOn) await depot.daemon.stop();
      else await depot.hardware.close();
    }
    if (ownClock) clock.stop();
  };

  try {
    for (const original of options.bundles) {
      const bundle = options.relay ? { ...original, relay: { ...original.relay, ...options.relay } } : original;
      const configDir = join(options.dataDir, `depot-${bundle.depotId}`);
      writeProvisioning(bundle, configDir, { force: true });
      const loaded = loadDepotConfig(configDir);
      const memory = options.storage === 'memory';
      const config: DepotConfig = memory ? { ...loaded, databasePath: ':memory:' } : loaded;
      const line = new DepotLine({
        clock,
        conditions: () => conditions,
        seed,
        id: bundle.depotId,
        open: () => openSocket({ host: config.relay.host, port: config.relay.port }),
        rebindEveryMs: options.natRebindEveryMs,
        pacer,
      });
      const hardware = createSimulatedHardware({ compartments: bundle.compartments, clock, keySensors: true });
      const depot = simulatedDepot({
        bundle,
        configDir,
        hardware,
        line,
        boot: (stamps) =>
          startDepotDaemon({
            config,
            hardware,
            backend,
            socketFactory: () => line.open(),
            logger: options.logger ?? silentLogger,
            statusIntervalMs: 0,
            rhythm: options.rhythm,
            offlinePins: options.offlinePins,
            random: seededRandom(deriveSeed(seed, 'link', bundle.depotId)),
            stamps,
          }),
        // A stamp must outlive the store it protects; in memory it lives as long as the fleet.
        stamps: memory ? memoryStampStore() : undefined,
      });
      depots.push(depot);
      await depot.powerOn();
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const totals = (): LineStats => {
    const sum = {
      up: { sent: 0, lost: 0, duplicated: 0, delivered: 0 },
      down: { sent: 0, lost: 0, duplicated: 0, delivered: 0 },
      mappings: 0,
    };
    for (const depot of depots) {
      const stats = depot.line.stats();
      for (const way of ['up', 'down'] as const) {
        for (const key of ['sent', 'lost', 'duplicated', 'delivered'] as const) sum[way][key] += stats[way][key];
      }
      sum.mappings += stats.mappings;
    }
    return sum;
  };

  return {
    depots,
    depot(depotId) {
      const found = depots.find((d) => d.depotId === depotId);
      if (!found) throw new Error(`no simulated depot ${depotId} in this fleet`);
      return found;
    },
    clock,
    advance: (ms) => clock.advanceAsync(ms),
    setSpeed: (speed) => clock.setSpeed(speed),
    get network() {
      return conditions;
    },
    setNetwork(next) {
      conditions = checkConditions(next);
    },
    networkStats: totals,
    stop: stopAll,
  };
}

interface DepotParts {
  readonly bundle: ProvisioningBundle;
  readonly configDir: string;
  readonly hardware: SimulatedHardware;
  readonly line: DepotLine;
  readonly boot: (stamps: StampStore | undefined) => Promise<DepotDaemon>;
  readonly stamps: StampStore | undefined;
}

function simulatedDepot(parts: DepotParts): SimulatedDepot {
  const { hardware, line } = parts;
  let daemon: DepotDaemon | null = null;
  let booting: Promise<void> | null = null;
  const powerOff = () => {
    if (daemon === null) return;
    const dead = daemon;
    daemon = null;
    dead.link.stop();
    // The disk goes first: with the store closed, core.stop() only drops listeners and timers
    // and releases the locks (the relays lose power too); it cannot write a clock floor.
    dead.store.close();
    dead.core.stop();
    // The daemon's socket is the line's: hanging up ends this boot's NAT mapping.
    line.hangUp();
  };
  const powerOn = () => {
    booting ??= (async () => {
      if (daemon === null) daemon = await parts.boot(parts.stamps);
    })().finally(() => {
      booting = null;
    });
    return booting;
  };
  return {
    depotId: parts.bundle.depotId,
    name: parts.bundle.name,
    hardware,
    configDir: parts.configDir,
    line,
    get daemon() {
      if (daemon === null) throw new Error(`depot ${parts.bundle.depotId} is powered off`);
      return daemon;
    },
    get poweredOn() {
      return daemon !== null;
    },
    cutNetwork: () => line.cut(),
    restoreNetwork: () => line.restore(),
    powerOff,
    powerOn,
    async powerCycle() {
      powerOff();
      await powerOn();
    },
  };
}
