import { DEFAULT_TIME_ZONE } from './constants.js';

/**
 * The provisioning bundle: what a technician carries from the cloud's
 * `depot create` to the depot's `provision`. It holds the depot's secret key,
 * so it is written with mode 0600 and should be deleted once imported.
 * Keys are lower-case hex. The offline key is the depot's own derived key
 * (deriveOfflineKey(master, depotId, offlineKeyId)), never the cloud's master.
 */
export interface ProvisioningBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly depotId: number;
  readonly name: string;
  readonly relay: { readonly host: string; readonly port: number; readonly publicKey: string };
  readonly depotSecretKey: string;
  readonly offlineKey: string;
  readonly offlineKeyId: number;
  readonly compartments: number;
  readonly timeZone: string;
  readonly language: 'de' | 'en';
  readonly createdAt: string;
}

export const BUNDLE_FORMAT = 'keydepot-provisioning/1';

export class BundleError extends Error {
  override name = 'BundleError';
}

const KEY_HEX = /^[0-9a-f]{64}$/;

/** Checks a parsed JSON value field by field; throws BundleError naming the first bad field. */
export function parseProvisioningBundle(value: unknown): ProvisioningBundle {
  const o = record(value, 'bundle');
  if (o.format !== BUNDLE_FORMAT) throw new BundleError(`format must be '${BUNDLE_FORMAT}', got ${show(o.format)}`);
  const relay = record(o.relay, 'relay');
  const bundle: ProvisioningBundle = {
    format: BUNDLE_FORMAT,
    depotId: integer(o.depotId, 'depotId', 1, 0xffffffff),
    name: text(o.name, 'name'),
    relay: {
      host: text(relay.host, 'relay.host'),
      port: integer(relay.port, 'relay.port', 1, 65535),
      publicKey: key(relay.publicKey, 'relay.publicKey'),
    },
    depotSecretKey: key(o.depotSecretKey, 'depotSecretKey'),
    offlineKey: key(o.offlineKey, 'offlineKey'),
    offlineKeyId: integer(o.offlineKeyId, 'offlineKeyId', 0, 0xffffffff),
    compartments: integer(o.compartments, 'compartments', 1, 64),
    timeZone: o.timeZone === undefined ? DEFAULT_TIME_ZONE : text(o.timeZone, 'timeZone'),
    language: o.language === 'en' ? 'en' : o.language === undefined || o.language === 'de' ? 'de' : badLanguage(o),
    createdAt: text(o.createdAt, 'createdAt'),
  };
  return bundle;
}

function badLanguage(o: Record<string, unknown>): never {
  throw new BundleError(`language must be 'de' or 'en', got ${show(o.language)}`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BundleError(`${field} must be an object`);
  }
  return value as Record<string, unknown>;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BundleError(`${field} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new BundleError(`${field} must be a non-empty text of at most 200 characters, got ${show(value)}`);
  }
  return value;
}

function key(value: unknown, field: string): string {
  if (typeof value !== 'string' || !KEY_HEX.test(value)) {
    throw new BundleError(`${field} must be 64 lower-case hex digits (32 bytes)`);
  }
  return value;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : (JSON.stringify(value)?.slice(0, 40) ?? String(value));
}
