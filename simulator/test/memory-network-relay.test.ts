/**
 * The cloud's relay and the real firmware over the in-memory network, no UDP
 * socket on either side: the relay takes a MemoryNetwork endpoint as its
 * socket, each depot's link an endpointLinkSocket on the same network. A PIN
 * goes out as a command, is typed and opens the compartment, and the movement
 * lands in the store, as over UDP (end-to-end.test.ts). Runs on SQLite and on
 * MariaDB.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRelayKey, type Running, silentLogger, startCloud } from '@keydepot/cloud';
import { queueCommand } from '@keydepot/cloud/store';
import { createCliHarness, testDialects } from '@keydepot/cloud/testing';
import { endpointLinkSocket } from '@keydepot/firmware';
import { CommandKind, EventKind, loadCryptoBackend, PinKind, parseProvisioningBundle } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from '../src/fleet.js';
import { MemoryNetwork } from '../src/memory-network.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(testDialects())('the relay on the in-memory network (%s)', (dialect) => {
  it('takes a depot online, delivers its PIN and stores the movement', async () => {
    const cli = await createCliHarness(dialect);
    cleanups.push(() => cli.dispose());
    expect((await cli.run(['org', 'create', '--name', 'Autohaus Kern'])).code).toBe(0);
    const made = await cli.run([
      'depot',
      'create',
      '--org',
      'Autohaus Kern',
      '--name',
      'Hof',
      '--compartments',
      '4',
      '--out',
      'hof.json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const bundle = parseProvisioningBundle(JSON.parse(readFileSync(join(cli.cwd, 'hof.json'), 'utf8')));

    const network = new MemoryNetwork();
    // An address no UDP socket of this host could have: only the memory network reaches it.
    const relaySocket = network.bind('198.51.100.7', 51_820);
    const backend = await loadCryptoBackend('sodium-native');
    const { keyPair } = await loadRelayKey({ file: join(cli.dataDir, 'relay.key'), backend, createIfMissing: false });
    const cloud: Running = await startCloud({
      databaseUrl: cli.database.url,
      dataKeyFile: join(cli.dataDir, 'data.key'),
      relayKeys: keyPair,
      logger: silentLogger(),
      backend,
      udpPort: 0,
      httpPort: 0,
      relay: { socket: relaySocket, pollIntervalMs: 100 },
    });
    cleanups.push(() => cloud.shutdown());
    expect({ host: cloud.relay.host, port: cloud.relay.port }).toEqual(relaySocket.address);

    const depotEndpoints: string[] = [];
    const fleet = await startFleet({
      bundles: [bundle],
      dataDir: join(cli.dataDir, 'fleet'),
      relay: relaySocket.address,
      openSocket: (relay) => {
        const endpoint = network.bind('10.0.0.2');
        depotEndpoints.push(`${endpoint.address.host}:${endpoint.address.port}`);
        return endpointLinkSocket(endpoint, relay);
      },
      backend,
    });
    cleanups.push(() => fleet.stop());
    const db = cloud.store.db;
    const depotRow = () =>
      db.selectFrom('depots').selectAll().where('id', '=', bundle.depotId).executeTakeFirstOrThrow();
    await expect.poll(async () => (await depotRow()).online, { timeout: 10_000 }).toBe(1);
    const session = await db
      .selectFrom('depot_sessions')
      .select('endpoint')
      .where('depot_id', '=', bundle.depotId)
      .executeTakeFirstOrThrow();
    expect(depotEndpoints).toContain(session.endpoint);

    const pinId = 1001;
    const addId = await queueCommand(cloud.store, bundle.depotId, {
      command: CommandKind.PinAdd,
      pinId,
      pinKind: PinKind.OneTime,
      compartment: 2,
      digits: '482913',
      validFromMs: 0,
      validUntilMs: 0,
      schedule: [],
    });
    cloud.relay.poke();
    const commandState = async () =>
      (
        await db
          .selectFrom('commands')
          .select('state')
          .where('depot_id', '=', bundle.depotId)
          .where('id', '=', addId)
          .executeTakeFirstOrThrow()
      ).state;
    await expect.poll(commandState, { timeout: 10_000 }).toBe('applied');

    const { hardware } = fleet.depot(bundle.depotId);
    hardware.keypad.type('482913#');
    await expect.poll(() => hardware.compartment(2).lock.pulses.length, { timeout: 5_000 }).toBe(1);
    const accepted = () =>
      db
        .selectFrom('events')
        .select('kind')
        .where('depot_id', '=', bundle.depotId)
        .where('kind', '=', EventKind.PinAccepted)
        .execute();
    await expect.poll(async () => (await accepted()).length, { timeout: 10_000 }).toBe(1);
    expect(network.undeliverable).toBe(0);
  });
});
