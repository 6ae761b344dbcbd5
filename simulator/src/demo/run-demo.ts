import { createSocket } from 'node:dgram';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createLogger, loadRelayKey, startCloud } from '@keydepot/cloud';
import { loadCryptoBackend } from '@keydepot/shared';
import { startFleet } from '../fleet.js';
import { followEvents } from './event-feed.js';
import { afterHoursPickup, remoteOpenAndReturn, wrongPins } from './movements.js';
import { setUpDemo } from './setup.js';

export interface DemoOptions {
  /** Everything the demo writes: the SQLite store, keys, bundles, the depots' files. Wiped at start. */
  readonly dataDir: string;
  readonly httpPort: number;
  readonly udpPort: number;
  /** Run the scripted movements, then stop (CI); otherwise keep going until `stop` aborts. */
  readonly once: boolean;
  readonly stop: AbortSignal;
  readonly print: (line: string) => void;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `preferred` if no one listens there, else a port the system picks. */
async function udpPort(preferred: number): Promise<number> {
  const socket = createSocket('udp4');
  const port = await new Promise<number>((resolve) => {
    socket.once('error', () => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
    socket.bind(preferred, '127.0.0.1', () => resolve(socket.address().port));
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * The full demo: relay + portal on the embedded SQLite store, an admin user,
 * three depots with six compartments, run by the real firmware on simulated
 * hardware, with a few movements. Prints the login and the portal address.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { print } = options;
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const httpPort = (await portFree(options.httpPort)) ? options.httpPort : 0;
  const relayPort = await udpPort(options.udpPort);
  const env = {
    KEYDEPOT_DATA_DIR: options.dataDir,
    KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
    KEYDEPOT_PUBLIC_RELAY_PORT: String(relayPort),
    KEYDEPOT_LOG_LEVEL: 'warn',
  };
  print('Setting up: organisation, admin user, 3 depots with 6 compartments (keydepot-cloud CLI)');
  const accounts = await setUpDemo(env, options.dataDir);

  const backend = await loadCryptoBackend('sodium-native');
  const { keyPair } = await loadRelayKey({ file: join(options.dataDir, 'relay.key'), backend, createIfMissing: false });
  const cloud = await startCloud({
    databaseUrl: `sqlite:${join(options.dataDir, 'keydepot.sqlite')}`,
    dataKeyFile: join(options.dataDir, 'data.key'),
    relayKeys: keyPair,
    logger: createLogger({ level: 'warn' }),
    backend,
    udpHost: '127.0.0.1',
    udpPort: relayPort,
    httpHost: '127.0.0.1',
    httpPort,
    relay: { pollIntervalMs: 100 },
    portal: {
      offlineMasterKeyFile: join(options.dataDir, 'offline-master.key'),
    },
  });
  const names = new Map(accounts.bundles.map((b) => [b.depotId, b.name]));
  const feed = followEvents(cloud.store, names, print);
  const fleet = await startFleet({
    bundles: accounts.bundles,
    dataDir: join(options.dataDir, 'depots'),
    relay: { host: '127.0.0.1', port: cloud.relay.port },
  });
  try {
    print('');
    print(`Portal:  http://127.0.0.1:${cloud.httpPort}/   (metrics: /metrics)`);
    print(`Login:   ${accounts.username} / ${accounts.password}`);
    print(`Relay:   udp://127.0.0.1:${cloud.relay.port}, store ${join(options.dataDir, 'keydepot.sqlite')}`);
    print('');
    print('Movements, as the cloud stores them:');
    const [hof, service, holiday] = accounts.bundles.map((b) => b.depotId);
    const pin = await afterHoursPickup(cloud, fleet, hof, 3);
    print(`  -> a customer typed the one-time PIN ${pin} at "${names.get(hof)}" and took the key from compartment 3`);
    await wrongPins(fleet, service, 3);
    print(`  -> someone typed 3 wrong PINs at "${names.get(service)}"`);
    const state = await remoteOpenAndReturn(cloud, fleet, hof, 3);
    print(`  -> the owner opened compartment 3 remotely (${state}) and a key was put back`);
    await afterHoursPickup(cloud, fleet, holiday, 1);
    print(`  -> a holiday guest picked up the key at "${names.get(holiday)}"`);
    if (!options.once) {
      print('');
      print('Running. A movement every 20 s; press Ctrl-C to stop.');
      let round = 0;
      while (!options.stop.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 20_000);
          const wake = () => {
            clearTimeout(timer);
            resolve();
          };
          options.stop.addEventListener('abort', wake, { once: true });
        });
        if (options.stop.aborted) break;
        const depot = accounts.bundles[round % accounts.bundles.length].depotId;
        await afterHoursPickup(cloud, fleet, depot, 1 + (round % 6)).catch((error) => print(`  ! ${error.message}`));
        round++;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    print('Stopping: depots, relay, portal.');
    await fleet.stop();
    await feed.stop();
    await cloud.shutdown();
    print('Stopped cleanly.');
  }
}
