import { deriveOfflineKey, randomBytes } from '@keydepot/shared';
import { loadSecretKeyFile } from './secret-key-file.js';

/*
 * Offline-key material (docs/design.md, Keys; protocol §14). The choice: the cloud keeps
 * one random 32-byte offline master in its own file (`<dataDir>/offline-master.key`,
 * mode 0600, like the relay key; never in the database) and derives each depot's
 * K_offline = deriveOfflineKey(master, depot id, depots.offline_key_id) whenever
 * it needs it (writing a bundle, issuing an offline PIN). The bundle carries only
 * that derived per-depot key and its derivation id, never the master, and the
 * cloud never stores the depot's Noise secret key. Bumping offline_key_id
 * (`depot rekey --new-offline-key`) voids every earlier offline PIN of that depot.
 * Losing the master file voids all offline PINs until every depot is re-provisioned:
 * back it up with the relay key.
 */

export interface OfflineMasterKeyOptions {
  /** config.offlineMasterKeyFile. */
  readonly file: string;
  readonly createIfMissing: boolean;
}

/** The cloud's offline master key, created on first `depot create`. */
export async function loadOfflineMasterKey(
  options: OfflineMasterKeyOptions,
): Promise<{ key: Uint8Array; created: boolean }> {
  return loadSecretKeyFile({
    file: options.file,
    label: 'offline master key',
    createIfMissing: options.createIfMissing,
    generate: () => randomBytes(32),
  });
}

/** One depot's K_offline for its current derivation id. */
export function depotOfflineKey(master: Uint8Array, depot: { id: number; offlineKeyId: number }): Uint8Array {
  return deriveOfflineKey(master, depot.id, depot.offlineKeyId);
}
