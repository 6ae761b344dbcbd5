import { type CryptoBackend, generateKeyPair, type ProvisioningBundle } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { buildBundle } from '../cli/bundle-file.js';
import { appendAudit } from '../store/audit.js';
import { createDepot, type Depot, depotForAudit, inTransaction } from '../store/depots.js';
import type { Schema } from '../store/schema.js';

/** What a provisioning bundle is made from besides the depot: the deployment's keys and public relay address. */
export interface ProvisioningKeys {
  readonly backend: CryptoBackend;
  readonly relayPublicKey: Uint8Array;
  readonly offlineMaster: Uint8Array;
  /** KEYDEPOT_PUBLIC_RELAY_HOST / _PORT: what the depot dials. */
  readonly publicRelayHost: string | undefined;
  readonly publicRelayPort: number;
}

export interface DepotRequest {
  readonly organisationId: number;
  readonly name: string;
  readonly address: string;
  readonly compartmentCount: number;
  readonly timeZone: string;
  readonly language: 'de' | 'en';
  readonly nowMs: number;
  /** Who provisions: a technician at the command line, or an operator in the portal. */
  readonly by:
    | { readonly actor: 'cli' }
    | { readonly actor: 'user'; readonly userId: number; readonly address: string };
}

/**
 * Registers a depot and builds its provisioning bundle: a fresh key pair of
 * which only the public key is stored, the depot's offline key, the relay's
 * address and public key. The rows, the audit entry and `alongside` (the CLI
 * writes the file there, the portal grants an owner) succeed or fail together,
 * in one transaction. The bundle holds the depot's secret key: the caller hands
 * it over once (a 0600 file, a download) and keeps no copy.
 */
export async function provisionDepot(
  db: Kysely<Schema>,
  keys: ProvisioningKeys,
  request: DepotRequest,
  alongside?: (trx: Kysely<Schema>, depot: Depot, bundle: ProvisioningBundle) => Promise<void>,
): Promise<{ depot: Depot; bundle: ProvisioningBundle }> {
  const depotKeys = generateKeyPair(keys.backend);
  try {
    return await inTransaction(db, async (trx) => {
      const depot = await createDepot(trx, {
        organisationId: request.organisationId,
        name: request.name,
        address: request.address,
        publicKey: depotKeys.publicKey,
        compartmentCount: request.compartmentCount,
        timeZone: request.timeZone,
        language: request.language,
        nowMs: request.nowMs,
      });
      const bundle = buildBundle({
        config: keys,
        depot,
        depotKeys,
        relayPublicKey: keys.relayPublicKey,
        offlineMaster: keys.offlineMaster,
        nowMs: request.nowMs,
      });
      await alongside?.(trx, depot, bundle);
      const by = request.by;
      await appendAudit(trx, {
        atMs: request.nowMs,
        actor: by.actor,
        actorUserId: by.actor === 'user' ? by.userId : undefined,
        address: by.actor === 'user' ? by.address : undefined,
        action: 'depot.create',
        organisationId: request.organisationId,
        depotId: depot.id,
        subject: depot.name,
        after: depotForAudit(depot),
      });
      return { depot, bundle };
    });
  } finally {
    depotKeys.secretKey.fill(0);
  }
}

export { isTimeZone } from '../time-zone.js';
