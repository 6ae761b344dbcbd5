/**
 * Registers the load run's depots the way `keydepot-cloud depot create` does,
 * through the same cloud functions (createDepot, the audit entry, buildBundle
 * with the relay key and the offline master key from the data folder) but in
 * one process and a few hundred depots per transaction: 10,000 CLI processes
 * would take longer than the run itself.
 */

import { buildBundle, type CloudConfig, loadOfflineMasterKey, loadRelayKey } from '@keydepot/cloud';
import { appendAudit, createDepot, createOrganisation, depotForAudit, type StoreDatabase } from '@keydepot/cloud/store';
import { generateKeyPair, loadCryptoBackend, type ProvisioningBundle } from '@keydepot/shared';

/** Depots per transaction: large enough to be quick, small enough not to hold the store for long. */
const CHUNK = 250;

export interface ProvisionOptions {
  readonly store: StoreDatabase;
  /** The cloud's settings: key files and the relay address bundles carry. */
  readonly config: CloudConfig;
  readonly depots: number;
  readonly compartments: number;
  readonly nowMs?: number;
}

/** Creates an organisation and `depots` depots; returns their provisioning bundles in id order. */
export async function provisionFleet(options: ProvisionOptions): Promise<ProvisioningBundle[]> {
  const { store, config } = options;
  const nowMs = options.nowMs ?? Date.now();
  const backend = await loadCryptoBackend(config.cryptoBackend);
  const relay = await loadRelayKey({ file: config.relayKeyFile, backend, createIfMissing: true });
  const master = await loadOfflineMasterKey({ file: config.offlineMasterKeyFile, createIfMissing: true });
  const organisation = await createOrganisation(store.db, { name: `Load run ${new Date(nowMs).toISOString()}`, nowMs });
  const bundles: ProvisioningBundle[] = [];
  for (let first = 0; first < options.depots; first += CHUNK) {
    const count = Math.min(CHUNK, options.depots - first);
    const made = await store.db.transaction().execute(async (trx) => {
      const chunk: ProvisioningBundle[] = [];
      for (let i = 0; i < count; i++) {
        const depotKeys = generateKeyPair(backend);
        const depot = await createDepot(trx, {
          organisationId: organisation.id,
          name: `Load depot ${first + i + 1}`,
          publicKey: depotKeys.publicKey,
          compartmentCount: options.compartments,
          nowMs,
        });
        await appendAudit(trx, {
          atMs: nowMs,
          actor: 'cli',
          action: 'depot.create',
          organisationId: organisation.id,
          depotId: depot.id,
          subject: depot.name,
          after: depotForAudit(depot),
        });
        chunk.push(
          buildBundle({
            config,
            depot,
            depotKeys,
            relayPublicKey: relay.keyPair.publicKey,
            offlineMaster: master.key,
            nowMs,
          }),
        );
        depotKeys.secretKey.fill(0);
      }
      return chunk;
    });
    bundles.push(...made);
  }
  return bundles;
}
