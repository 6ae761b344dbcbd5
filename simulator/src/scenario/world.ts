import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Running } from '@keydepot/cloud';
import type { PinKindName } from '@keydepot/cloud/store';
import type { SimulatedClock } from '@keydepot/firmware';
import { loadCryptoBackend } from '@keydepot/shared';
import { type DemoDepot, setUpDemo, startDemoSystem } from '../demo/setup.js';
import { createFleetClock, type Fleet, relayClock, type SimulatedDepot } from '../fleet.js';

/** A depot of a world, with the short id steps and the prompt use for it ("hof"). */
export interface WorldDepot {
  readonly alias: string;
  readonly depotId: number;
  readonly name: string;
  readonly compartments: number;
  readonly sim: SimulatedDepot;
}

export interface DepotSpec extends DemoDepot {
  readonly alias: string;
}

/** A PIN a step sent to a depot, remembered under the step's name for later steps. */
export interface SentPin {
  readonly name: string;
  readonly depotId: number;
  readonly pinId: number;
  readonly compartment: number;
  readonly digits: string;
  /** As the portal names kinds. */
  readonly kind: PinKindName;
  readonly validUntilMs: number;
  readonly addCommandId: number;
  revokeCommandId?: number;
  /** Simulated time the revoke was queued; the portal counts a PIN revoked from then on. */
  revokedAtMs?: number;
}

/**
 * Everything a scenario or the prompt acts on: its own cloud (relay on a temp
 * SQLite store, on the fleet's clock), the depots it registered through the
 * cloud CLI, their fleet, and what steps remember (selection, PINs, commands).
 */
export interface SimWorld {
  readonly cloud: Running;
  readonly fleet: Fleet;
  readonly depots: readonly WorldDepot[];
  /** A depot by alias, id or name; throws a plain message if there is none. */
  depot(ref: string | number): WorldDepot;
  /** What steps without a `depot`/`compartment` act on. */
  selection: { depot: WorldDepot; compartment: number };
  readonly pins: Map<string, SentPin>;
  /** The last command each step queued, per depot id. */
  readonly lastCommand: Map<number, number>;
  /** Simulated wall clock (the depots' and the relay's), ms since the epoch. */
  nowMs(): number;
  /** Simulated time since the world started. */
  elapsedMs(): number;
  /** Moves simulated time forward, letting datagrams and store writes land on the way. */
  pass(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  readonly depots: readonly DepotSpec[];
  /** Simulated wall clock at the start (default: now). */
  readonly startWallMs?: number;
  /** Where the store, keys and depot files go (default: a temp folder, removed by stop()). */
  readonly dataDir?: string;
  /** Simulated time also runs on its own at this factor; omitted: it moves only through steps. */
  readonly speed?: number;
}

// A long pass goes in slices with a real pause between, so the relay's replies and commits
// (real I/O) land while simulated time moves. 100 slices: an hour online passes in about
// half a second, and a slice stays far below the relay's 185 s offline threshold up to 5 h.
const MIN_SLICE_MS = 2_000;
const SLICES = 100;
const realPause = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Starts a world: cloud CLI setup, `startCloud` on port 0, and one simulated depot per spec. */
export async function startWorld(options: WorldOptions): Promise<SimWorld> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'keydepot-sim-'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const clock = createFleetClock({ speed: options.speed, startWallMs: options.startWallMs });
  const env = {
    KEYDEPOT_DATA_DIR: dataDir,
    // `depot create` writes this into the bundles; the fleet dials the relay's real port (known only after startCloud).
    KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
    KEYDEPOT_PUBLIC_RELAY_PORT: '1',
    KEYDEPOT_LOG_LEVEL: 'warn',
  };
  try {
    return await startIn(dataDir, env, clock, options, ownDir);
  } catch (error) {
    clock.stop();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(
  dataDir: string,
  env: Record<string, string>,
  clock: SimulatedClock,
  options: WorldOptions,
  ownDir: boolean,
): Promise<SimWorld> {
  const startMono = clock.monotonicMs();
  const accounts = await setUpDemo(env, dataDir, options.depots);
  const backend = await loadCryptoBackend('sodium-native');
  const { cloud, fleet } = await startDemoSystem(dataDir, accounts.bundles, {
    backend,
    // The relay reads the depots' clock, so TIME frames, expiry and presence follow simulated time.
    cloud: { relay: { pollIntervalMs: 50, offlineSweepIntervalMs: 100, clock: relayClock(clock) } },
    fleet: { clock },
  });
  const depots = accounts.bundles.map((bundle, index) => ({
    alias: (options.depots[index] as DepotSpec).alias,
    depotId: bundle.depotId,
    name: bundle.name,
    compartments: bundle.compartments,
    sim: fleet.depot(bundle.depotId),
  }));
  const depot = (ref: string | number): WorldDepot => {
    const found = depots.find((d) => d.alias === ref || String(d.depotId) === String(ref) || d.name === ref);
    if (!found) throw new Error(`no depot '${ref}' (there are: ${depots.map((d) => d.alias).join(', ')})`);
    return found;
  };
  let stopped = false;
  return {
    cloud,
    fleet,
    depots,
    depot,
    selection: { depot: depots[0] as WorldDepot, compartment: 1 },
    pins: new Map(),
    lastCommand: new Map(),
    nowMs: () => Math.floor(clock.wallMs()),
    elapsedMs: () => clock.monotonicMs() - startMono,
    async pass(ms) {
      const slice = Math.max(MIN_SLICE_MS, Math.ceil(ms / SLICES));
      for (let left = ms; left > 0; left -= slice) {
        await fleet.advance(Math.min(slice, left));
        await realPause();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await fleet.stop();
      clock.stop();
      await cloud.shutdown();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
