/**
 * A provisioned depot in a temporary folder, built the way a technician does
 * it: a provisioning bundle written by writeProvisioning, keys with mode 0600.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FORMAT, type ProvisioningBundle, randomBytes, toHex } from '@keydepot/shared';
import { type DepotConfig, loadDepotConfig, writeProvisioning } from '../../src/config.js';

export interface DepotFixture {
  readonly dir: string;
  readonly bundle: ProvisioningBundle;
  readonly config: DepotConfig;
  remove(): void;
}

export function provisionedDepot(options: {
  relayPublicKey: Uint8Array;
  relayPort: number;
  compartments?: number;
  dir?: string;
}): DepotFixture {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'keydepot-depot-'));
  const bundle: ProvisioningBundle = {
    format: BUNDLE_FORMAT,
    depotId: 4711,
    name: 'Test depot',
    relay: { host: '127.0.0.1', port: options.relayPort, publicKey: toHex(options.relayPublicKey) },
    depotSecretKey: toHex(randomBytes(32)),
    offlineKey: toHex(randomBytes(32)),
    offlineKeyId: 1,
    compartments: options.compartments ?? 4,
    timeZone: 'Europe/Berlin',
    language: 'en',
    createdAt: new Date().toISOString(),
  };
  writeProvisioning(bundle, dir);
  return {
    dir,
    bundle,
    config: loadDepotConfig(dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Polls `condition` on real time until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
