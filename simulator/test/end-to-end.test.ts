/**
 * The whole system on one machine, as a technician and an owner would use it:
 * the cloud CLI makes a depot and its bundle, `startCloud` runs the relay, the real
 * firmware daemon runs on simulated hardware over real UDP, a PIN goes out as
 * a command, is typed on the keypad, opens the compartment, and every movement
 * lands in the cloud's store. Runs on SQLite and on MariaDB.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRelayKey, type Running, silentLogger, startCloud } from '@keydepot/cloud';
import { queueCommand } from '@keydepot/cloud/store';
import { type CliHarness, createCliHarness, testDialects } from '@keydepot/cloud/testing';
import { CommandKind, EventKind, loadCryptoBackend, PinKind, parseProvisioningBundle } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../src/fleet.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(testDialects())('a depot end to end on %s', (dialect) => {
  it('gets a PIN from the cloud, opens for it once, and reports every movement', async () => {
    const cli: CliHarness = await createCliHarness(dialect);
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
      '6',
      '--out',
      'hof.json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const bundle = parseProvisioningBundle(JSON.parse(readFileSync(join(cli.cwd, 'hof.json'), 'utf8')));

    const backend = await loadCryptoBackend('sodium-native');
    const { keyPair } = await loadRelayKey({ file: join(cli.dataDir, 'relay.key'), backend, createIfMissing: false });
    const cloud: Running = await startCloud({
      databaseUrl: cli.database.url,
      dataKeyFile: join(cli.dataDir, 'data.key'),
      relayKeys: keyPair,
      logger: silentLogger(),
      backend,
      udpHost: '127.0.0.1',
      udpPort: 0,
      httpPort: 0,
      relay: { pollIntervalMs: 100 },
    });
    cleanups.push(() => cloud.shutdown());

    const fleet: Fleet = await startFleet({
      bundles: [bundle],
      dataDir: join(cli.dataDir, 'fleet'),
      relay: { host: '127.0.0.1', port: cloud.relay.port },
    });
    cleanups.push(() => fleet.stop());
    const { hardware } = fleet.depot(bundle.depotId);
    const db = cloud.store.db;
    const depotRow = () =>
      db.selectFrom('depots').selectAll().where('id', '=', bundle.depotId).executeTakeFirstOrThrow();
    await expect.poll(async () => (await depotRow()).online, { timeout: 10_000 }).toBe(1);

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
    const commandState = async (id: number) =>
      (
        await db
          .selectFrom('commands')
          .select('state')
          .where('depot_id', '=', bundle.depotId)
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).state;
    await expect.poll(() => commandState(addId), { timeout: 10_000 }).toBe('applied');

    hardware.keypad.type('482913#');
    await expect.poll(() => hardware.compartment(2).lock.pulses.length, { timeout: 5_000 }).toBe(1);
    const compartment = hardware.compartment(2);
    expect(compartment.openDoor()).toBe(true);
    expect(compartment.takeKey()).toBe(true);
    compartment.closeDoor();
    hardware.keypad.type('482913#'); // spent: a one-time PIN never opens twice

    const kinds = async () =>
      (
        await db
          .selectFrom('events')
          .select(['kind', 'compartment'])
          .where('depot_id', '=', bundle.depotId)
          .orderBy('sequence')
          .execute()
      )
        .filter((e) => e.compartment === 2 || e.kind === EventKind.PinRejected)
        .map((e) => e.kind);
    await expect
      .poll(kinds, { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          EventKind.PinAccepted,
          EventKind.Unlocked,
          EventKind.DoorOpened,
          EventKind.KeyRemoved,
          EventKind.DoorClosed,
          EventKind.PinRejected,
        ]),
      );
    expect(hardware.compartment(2).lock.pulses).toHaveLength(1);
    await expect
      .poll(
        async () =>
          (
            await db
              .selectFrom('compartments')
              .select('key_present')
              .where('depot_id', '=', bundle.depotId)
              .where('number', '=', 2)
              .executeTakeFirstOrThrow()
          ).key_present,
        { timeout: 10_000 },
      )
      .toBe(0);

    // A remote open from the portal: at most 60 s valid, applied once, reported back.
    const openId = await queueCommand(
      cloud.store,
      bundle.depotId,
      { command: CommandKind.Open, compartment: 5 },
      { notAfterMs: Date.now() + 30_000 },
    );
    cloud.relay.poke();
    await expect.poll(() => commandState(openId), { timeout: 10_000 }).toBe('applied');
    expect(hardware.compartment(5).lock.pulses).toHaveLength(1);
  });
});
