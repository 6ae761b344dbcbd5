/**
 * The second half of firmware/test/offline.test.ts, against the cloud's real relay
 * (cloud/src/relay, SQLite store): a depot that booted with no relay at its
 * address journals events (doors, wrong PINs, a lockout); once the relay
 * starts there, its database holds every event exactly once, in order.
 */

import { silentLogger, startRelay } from '@keydepot/cloud';
import { createTestDatabase, insertDepot } from '@keydepot/cloud/testing';
import { freeUdpPort, provisionedDepot, startSimulatedDaemon, waitFor } from '@keydepot/firmware/testing';
import { generateKeyPair, keyPairFromSecret, loadCryptoBackend, toHex } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a depot whose relay appears later (cloud relay)', () => {
  it('delivers everything it journaled offline exactly once, in order', async () => {
    const backend = await loadCryptoBackend('sodium-native');
    const relayKeys = generateKeyPair(backend);
    const port = await freeUdpPort();
    const fixture = provisionedDepot({ relayPublicKey: relayKeys.publicKey, relayPort: port });
    cleanups.push(() => fixture.remove());
    const store = await createTestDatabase('sqlite');
    cleanups.push(() => store.dispose());
    const depotId = await insertDepot(store, keyPairFromSecret(backend, fixture.config.depotSecretKey), 4);

    const depot = await startSimulatedDaemon(fixture.config, { speed: 20 });
    cleanups.push(() => depot.stop());
    const { daemon, hardware } = depot;

    for (let i = 0; i < 6; i++) hardware.keypad.type(`1234567${i}#`); // wrong PINs: a lockout
    for (let i = 0; i < 30; i++) {
      const compartment = hardware.compartment(1 + (i % 4));
      compartment.openDoor({ force: true });
      compartment.closeDoor();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const journaled = daemon.store.lastSequence();
    expect(daemon.core.status().outboxSize).toBe(journaled);
    expect(journaled).toBeGreaterThan(60);

    const relay = await startRelay({
      store,
      relayKeys,
      backend,
      logger: silentLogger(),
      port,
      rateLimitBy: 'ip-port',
      pollIntervalMs: 100,
    });
    cleanups.push(() => relay.close());
    await waitFor('the outbox to drain', () => daemon.core.status().outboxSize === 0, 30_000);

    const rows = await store.db
      .selectFrom('events')
      .select(['id', 'journal_epoch', 'sequence', 'kind'])
      .where('depot_id', '=', depotId)
      .orderBy('id')
      .execute();
    expect(new Set(rows.map((r) => toHex(new Uint8Array(r.journal_epoch))))).toEqual(new Set([daemon.core.epoch]));
    const sequences = rows.map((r) => r.sequence);
    expect(sequences).toEqual(Array.from({ length: daemon.store.lastSequence() }, (_, i) => i + 1));
  });
});
