import { access, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { BUNDLE_FORMAT, type KeyPair, type ProvisioningBundle, parseProvisioningBundle, toHex } from '@keydepot/shared';
import type { CloudConfig } from '../config.js';
import { depotOfflineKey } from '../keys/offline-master-key.js';
import type { Depot } from '../store/depots.js';
import { CliError } from './command.js';

/** Where a depot's bundle goes: `--out`, or `./depot-<id>.json` in the working folder. */
export function bundlePath(cwd: string, out: string | undefined, depotId: number): string {
  if (out === undefined) return join(cwd, `depot-${depotId}.json`);
  return isAbsolute(out) ? out : join(cwd, out);
}

/** Refuses early, before any change, when the bundle file is already there. */
export async function refuseExistingBundle(path: string): Promise<void> {
  if (await exists(path)) {
    throw new CliError(
      `${path} exists already; a bundle is never overwritten. Delete it (it holds a depot secret key) or pass --out <file>.`,
    );
  }
}

export interface BundleInput {
  /** Only the public relay address is read (the portal passes its provisioning keys here). */
  readonly config: Pick<CloudConfig, 'publicRelayHost' | 'publicRelayPort'>;
  readonly depot: Depot;
  readonly depotKeys: KeyPair;
  readonly relayPublicKey: Uint8Array;
  readonly offlineMaster: Uint8Array;
  readonly nowMs: number;
}

/** The provisioning bundle (shared/src/provisioning-bundle.ts), checked by the parser the depot uses. */
export function buildBundle(input: BundleInput): ProvisioningBundle {
  const { config, depot } = input;
  if (config.publicRelayHost === undefined) throw new CliError(MISSING_RELAY_HOST);
  return parseProvisioningBundle({
    format: BUNDLE_FORMAT,
    depotId: depot.id,
    name: depot.name,
    relay: { host: config.publicRelayHost, port: config.publicRelayPort, publicKey: toHex(input.relayPublicKey) },
    depotSecretKey: toHex(input.depotKeys.secretKey),
    offlineKey: toHex(depotOfflineKey(input.offlineMaster, depot)),
    offlineKeyId: depot.offlineKeyId,
    compartments: depot.compartmentCount,
    timeZone: depot.timeZone,
    language: depot.language,
    createdAt: new Date(input.nowMs).toISOString(),
  });
}

export const MISSING_RELAY_HOST =
  'KEYDEPOT_PUBLIC_RELAY_HOST is not set: a provisioning bundle must tell the depot which host to dial';

/**
 * Writes the bundle with mode 0600 and `wx` (fails if the file appeared since
 * the early check). Returns a function that deletes it again, for when the
 * database transaction around it fails.
 */
export async function writeBundle(path: string, bundle: ProvisioningBundle): Promise<() => Promise<void>> {
  try {
    await writeFile(path, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') await refuseExistingBundle(path);
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return () => unlink(path).catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
