import { type CryptoBackend, generateKeyPair, type KeyPair, loadCryptoBackend } from '@keydepot/shared';
import pino from 'pino';
import { type Relay, type RelayOptions, startRelay } from '../../src/relay/relay.js';
import type { StoreDatabase } from '../../src/store/database.js';
import { relayDb } from '../../src/store/relay/relay-schema.js';

export const silentLogger = pino({ level: 'silent' });

let backendPromise: Promise<CryptoBackend> | undefined;
/** sodium-native, loaded once per test file. */
export function backend(): Promise<CryptoBackend> {
  backendPromise ??= loadCryptoBackend('sodium-native');
  return backendPromise;
}

/** Inserts an organisation (once) and a depot with `keys`' public key; returns the depot id. */
export async function insertDepot(store: StoreDatabase, keys: KeyPair, compartments = 6): Promise<number> {
  const db = relayDb(store);
  let org = await db.selectFrom('organisations').select('id').executeTakeFirst();
  if (!org) {
    const inserted = await db
      .insertInto('organisations')
      .values({ name: 'Test GmbH', created_at_ms: Date.now() })
      .executeTakeFirstOrThrow();
    org = { id: Number(inserted.insertId) };
  }
  const result = await db
    .insertInto('depots')
    .values({
      organisation_id: org.id,
      name: `depot ${Math.random().toString(36).slice(2, 8)}`,
      public_key: keys.publicKey,
      compartment_count: compartments,
      created_at_ms: Date.now(),
    })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function newDepotKeys(): Promise<KeyPair> {
  return generateKeyPair(await backend());
}

/** Starts a relay on 127.0.0.1 with test-friendly defaults (per-port rate limits, fast polls). */
export async function startTestRelay(
  store: StoreDatabase,
  relayKeys: KeyPair,
  extra: Partial<RelayOptions> = {},
): Promise<Relay> {
  return startRelay({
    store,
    relayKeys,
    backend: await backend(),
    logger: silentLogger,
    rateLimitBy: 'ip-port',
    pollIntervalMs: 100,
    ...extra,
  });
}
