import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fromHex, modeOf, openToOthers, type ProvisioningBundle, tightenMode } from '@keydepot/shared';
import { z } from 'zod';
import { type HardwareConfig, hardwareConfigSchema } from './hardware/hardware-config.js';

/**
 * The depot's configuration directory (written by `keydepot-depot provision`):
 *
 *   depot.json   what the depot is and where its relay is (no secrets), mode 0600
 *   depot.key    the depot's static X25519 secret key, 64 hex digits, mode 0600
 *   offline.key  the depot's own offline-PIN key, 64 hex digits, mode 0600
 *
 * and a data directory (default: the same folder) for the SQLite store, the
 * handshake stamp file and the status file the daemon writes for `status`,
 * all 0600, in folders of mode 0700 (docs/operations.md, "File modes").
 */
const DEPOT_FILE = 'depot.json';
const DEPOT_KEY_FILE = 'depot.key';
const OFFLINE_KEY_FILE = 'offline.key';

/** One or more settings are wrong; the message says which, in plain words. */
export class DepotConfigError extends Error {
  override name = 'DepotConfigError';
}

const hexKey = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** depot.json. `hardware` is the wiring (hardware/hardware-config.ts; defaults to the documented pin-out). */
const depotFileSchema = z.object({
  depotId: z.number().int().min(1).max(0xffffffff),
  name: z.string().min(1),
  relay: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    publicKey: hexKey,
  }),
  offlineKeyId: z.number().int().min(0).max(0xffffffff),
  compartments: z.number().int().min(1).max(64),
  timeZone: z.string().min(1),
  language: z.enum(['de', 'en']),
  /** Folder for depot.sqlite, the stamp and the status file; relative paths are from the config folder. */
  dataDir: z.string().min(1).default('.'),
  /** Keepalives on (pushes within a second) unless the site pays per byte. */
  keepalive: z.boolean().default(true),
  hardware: hardwareConfigSchema.prefault({}),
  provisionedAt: z.string().min(1),
});
type DepotFile = z.input<typeof depotFileSchema>;

/** The configuration the daemon runs with, every path absolute and every key decoded. */
export interface DepotConfig {
  readonly configDir: string;
  readonly depotId: number;
  readonly name: string;
  readonly relay: { readonly host: string; readonly port: number; readonly publicKey: Uint8Array };
  readonly depotSecretKey: Uint8Array;
  readonly offlineKey: Uint8Array;
  readonly offlineKeyId: number;
  readonly compartments: number;
  readonly timeZone: string;
  readonly language: 'de' | 'en';
  readonly keepalive: boolean;
  readonly hardware: HardwareConfig;
  readonly dataDir: string;
  readonly databasePath: string;
  readonly stampPath: string;
  readonly statusPath: string;
}

/** Paths inside the data directory. */
export function dataPaths(dataDir: string): { databasePath: string; stampPath: string; statusPath: string } {
  return {
    databasePath: join(dataDir, 'depot.sqlite'),
    stampPath: join(dataDir, 'initiation.stamp'),
    statusPath: join(dataDir, 'status.json'),
  };
}

/**
 * Reads and checks the config folder once; throws DepotConfigError naming the first problem.
 * `statusDir` moves status.json out of the data folder: the systemd unit puts it on the tmpfs
 * /run/keydepot (KEYDEPOT_STATUS_DIR), so its rewrite every 10 s never touches the SD card.
 */
export function loadDepotConfig(configDir: string, options: { statusDir?: string } = {}): DepotConfig {
  const file = join(configDir, DEPOT_FILE);
  if (!existsSync(file)) {
    throw new DepotConfigError(`${file} does not exist: run 'keydepot-depot provision <bundle.json>' first`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DepotConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = depotFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DepotConfigError(`${file}: ${issue.path.join('.') || 'file'} ${issue.message}`);
  }
  const depot = parsed.data;
  const dataDir = isAbsolute(depot.dataDir) ? depot.dataDir : join(configDir, depot.dataDir);
  return {
    configDir,
    depotId: depot.depotId,
    name: depot.name,
    relay: { host: depot.relay.host, port: depot.relay.port, publicKey: fromHex(depot.relay.publicKey) },
    depotSecretKey: readKeyFile(join(configDir, DEPOT_KEY_FILE)),
    offlineKey: readKeyFile(join(configDir, OFFLINE_KEY_FILE)),
    offlineKeyId: depot.offlineKeyId,
    compartments: depot.compartments,
    timeZone: depot.timeZone,
    language: depot.language,
    keepalive: depot.keepalive,
    hardware: depot.hardware,
    dataDir,
    ...dataPaths(dataDir),
    ...(options.statusDir ? { statusPath: join(options.statusDir, 'status.json') } : {}),
  };
}

/** A key file: 64 hex digits, readable by its owner only (a copied key is a cloned depot). */
function readKeyFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new DepotConfigError(`${path} does not exist`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new DepotConfigError(`${path} must be readable by its owner only (mode 0600), is ${mode.toString(8)}`);
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new DepotConfigError(`${path} must hold 64 lower-case hex digits`);
  return fromHex(text);
}

/** What `provision` did, for its summary. */
export interface ProvisionSummary {
  readonly configDir: string;
  readonly depotId: number;
  readonly name: string;
  readonly relay: string;
  readonly compartments: number;
  readonly replaced: boolean;
}

/**
 * Writes a provisioning bundle into the config folder: depot.json, and both
 * keys with mode 0600. Refuses to replace an existing provisioning unless
 * `force`: a new depot key orphans the old identity at the relay.
 */
export function writeProvisioning(
  bundle: ProvisioningBundle,
  configDir: string,
  options: { force?: boolean; nowIso?: string; hardware?: unknown } = {},
): ProvisionSummary {
  const depotFile = join(configDir, DEPOT_FILE);
  const replaced = existsSync(depotFile) || existsSync(join(configDir, DEPOT_KEY_FILE));
  if (replaced && !options.force) {
    throw new DepotConfigError(`${configDir} already holds a provisioned depot; add --force to replace it`);
  }
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const previous = replaced && existsSync(depotFile) ? safeJson(depotFile) : undefined;
  const depot: DepotFile = {
    depotId: bundle.depotId,
    name: bundle.name,
    relay: { ...bundle.relay },
    offlineKeyId: bundle.offlineKeyId,
    compartments: bundle.compartments,
    timeZone: bundle.timeZone,
    language: bundle.language,
    dataDir: typeof previous?.dataDir === 'string' ? previous.dataDir : '.',
    keepalive: typeof previous?.keepalive === 'boolean' ? previous.keepalive : true,
    // A re-provisioned depot keeps its wiring.
    hardware: (options.hardware ?? previous?.hardware) as DepotFile['hardware'],
    provisionedAt: options.nowIso ?? new Date().toISOString(),
  };
  writeOwnerOnly(join(configDir, DEPOT_KEY_FILE), `${bundle.depotSecretKey}\n`);
  writeOwnerOnly(join(configDir, OFFLINE_KEY_FILE), `${bundle.offlineKey}\n`);
  writeOwnerOnly(depotFile, `${JSON.stringify(depot, null, 2)}\n`);
  return {
    configDir,
    depotId: bundle.depotId,
    name: bundle.name,
    relay: `${bundle.relay.host}:${bundle.relay.port}`,
    compartments: bundle.compartments,
    replaced,
  };
}

/**
 * Sets mode 0600 on the depot's own files that an older version left open to
 * group or others (depot.json, the status file, the database and its WAL are
 * 0644 there), and returns the folders that are still open to others: they
 * are the operator's to fix (the daemon warns), not the daemon's to chmod.
 */
export function ownerOnlyDepotFiles(config: DepotConfig): string[] {
  for (const file of [
    join(config.configDir, DEPOT_FILE),
    config.statusPath,
    `${config.statusPath}.tmp`,
    config.stampPath,
  ]) {
    tightenMode(file, 0o600);
  }
  const folders = [...new Set([config.configDir, config.dataDir])];
  return folders.filter((folder) => {
    const mode = modeOf(folder);
    return mode !== undefined && openToOthers(mode);
  });
}

/** Writes a file of the config folder with mode 0600, also over an existing file of another mode. */
function writeOwnerOnly(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  // writeFileSync keeps the mode of a file that already existed: set it explicitly.
  chmodSync(path, 0o600);
}

function safeJson(path: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
