import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Running } from '@keydepot/cloud';
import { loadCryptoBackend, type ProvisioningBundle } from '@keydepot/shared';
import { setUpDemo, startDemoSystem } from '@keydepot/simulator/demo';
import type { Fleet } from '@keydepot/simulator/fleet';

/** The whole system on this machine, as the Quick-start demo runs it, for one browser test. */
export interface RunningSystem {
  readonly cloud: Running;
  readonly fleet: Fleet;
  readonly bundle: ProvisioningBundle;
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

/**
 * Sets up through the cloud CLI (organisation, admin user, one depot: the
 * demo's code path), serves relay and portal on SQLite in a temp dir, and runs
 * the real firmware daemon for the depot on simulated hardware over UDP.
 */
export async function startSystem(): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keydepot-e2e-'));
  const stops: Array<() => Promise<void> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const env = {
      KEYDEPOT_DATA_DIR: dataDir,
      KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
      // The fleet dials the relay's real port (known only after startCloud()), not the bundle's.
      KEYDEPOT_PUBLIC_RELAY_PORT: '51820',
      KEYDEPOT_LOG_LEVEL: 'warn',
    };
    const accounts = await setUpDemo(env, dataDir, [
      { name: 'Autohaus Kern – Hof', address: 'Industriestraße 12, 70565 Stuttgart', compartments: 4 },
    ]);
    const bundle = accounts.bundles[0] as ProvisioningBundle;
    const backend = await loadCryptoBackend('sodium-native');
    const { cloud, fleet } = await startDemoSystem(dataDir, [bundle], {
      backend,
      cloud: {
        relay: { pollIntervalMs: 100 },
        portal: {
          offlineMasterKeyFile: join(dataDir, 'offline-master.key'),
        },
      },
    });
    stops.push(
      () => cloud.shutdown(),
      () => fleet.stop(),
    );
    return {
      cloud,
      fleet,
      bundle,
      baseUrl: `http://127.0.0.1:${cloud.httpPort}`,
      username: accounts.username,
      password: accounts.password,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
