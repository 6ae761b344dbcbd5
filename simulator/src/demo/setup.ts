import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadRelayKey, type Running, runCli, type StartCloudOptions, silentLogger, startCloud } from '@keydepot/cloud';
import { type CryptoBackend, type ProvisioningBundle, parseProvisioningBundle } from '@keydepot/shared';
import { type Fleet, type FleetOptions, startFleet } from '../fleet.js';

export interface DemoAccounts {
  readonly username: string;
  readonly password: string;
  readonly bundles: readonly ProvisioningBundle[];
}

/** A depot to register; scenarios (simulator/src/scenario) bring their own. */
export interface DemoDepot {
  readonly name: string;
  readonly address: string;
  /** Default 6. */
  readonly compartments?: number;
  readonly language?: 'de' | 'en';
  readonly timeZone?: string;
}

export const DEMO_DEPOTS: readonly DemoDepot[] = [
  { name: 'Autohaus Kern – Hof', address: 'Industriestraße 12, 70565 Stuttgart' },
  { name: 'Autohaus Kern – Service', address: 'Industriestraße 12, 70565 Stuttgart' },
  { name: 'Ferienwohnung Seeblick', address: 'Uferweg 3, 88709 Meersburg' },
];

/**
 * Sets the demo up the way a technician would, through the cloud CLI: an
 * organisation, an admin user (operator, owner of every depot), and three
 * depots with six compartments each, whose bundles the fleet then imports.
 */
export async function setUpDemo(
  env: Record<string, string>,
  cwd: string,
  depots: readonly DemoDepot[] = DEMO_DEPOTS,
): Promise<DemoAccounts> {
  const cli = async (...argv: string[]): Promise<string> => {
    let out = '';
    let err = '';
    const code = await runCli(argv, {
      env,
      cwd,
      stdin: Readable.from([]),
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
    });
    if (code !== 0) throw new Error(`keydepot-cloud ${argv.join(' ')} failed: ${err.trim() || out.trim()}`);
    return out;
  };
  await cli('org', 'create', '--name', 'Autohaus Kern GmbH');
  const created = await cli('user', 'create', '--username', 'admin', '--operator', '--org', 'Autohaus Kern GmbH');
  const password = /Password \(shown only now\): (\S+)/.exec(created)?.[1];
  if (!password) throw new Error('user create printed no password');
  const bundles: ProvisioningBundle[] = [];
  for (const [index, depot] of depots.entries()) {
    const file = `depot-${index + 1}.json`;
    await cli(
      'depot',
      'create',
      '--org',
      'Autohaus Kern GmbH',
      '--name',
      depot.name,
      '--address',
      depot.address,
      '--compartments',
      String(depot.compartments ?? 6),
      ...(depot.language ? ['--language', depot.language] : []),
      ...(depot.timeZone ? ['--time-zone', depot.timeZone] : []),
      '--out',
      file,
    );
    const bundle = parseProvisioningBundle(JSON.parse(readFileSync(join(cwd, file), 'utf8')));
    await cli('depot', 'grant', '--depot', String(bundle.depotId), '--user', 'admin', '--role', 'owner');
    bundles.push(bundle);
  }
  return { username: 'admin', password, bundles };
}

/** The demo's cloud and its depots, running. */
export interface DemoSystem {
  readonly cloud: Running;
  readonly fleet: Fleet;
}

/**
 * Starts the cloud over a folder setUpDemo filled (its SQLite store and relay
 * key; silent, UDP and HTTP on free loopback ports unless `cloud` says
 * otherwise, the portal only with `cloud.portal`), then the depots of
 * `bundles` dialling its relay, their data in `<dataDir>/depots`.
 */
export async function startDemoSystem(
  dataDir: string,
  bundles: readonly ProvisioningBundle[],
  options: { backend: CryptoBackend; cloud?: Partial<StartCloudOptions>; fleet?: Partial<FleetOptions> },
): Promise<DemoSystem> {
  const { backend } = options;
  const { keyPair } = await loadRelayKey({ file: join(dataDir, 'relay.key'), backend, createIfMissing: false });
  const cloud = await startCloud({
    databaseUrl: `sqlite:${join(dataDir, 'keydepot.sqlite')}`,
    dataKeyFile: join(dataDir, 'data.key'),
    relayKeys: keyPair,
    logger: silentLogger(),
    backend,
    udpHost: '127.0.0.1',
    udpPort: 0,
    httpHost: '127.0.0.1',
    httpPort: 0,
    ...options.cloud,
  });
  try {
    const fleet = await startFleet({
      bundles,
      dataDir: join(dataDir, 'depots'),
      relay: { host: '127.0.0.1', port: cloud.relay.port },
      backend,
      ...options.fleet,
    });
    return { cloud, fleet };
  } catch (error) {
    await cloud.shutdown();
    throw error;
  }
}
