/**
 * A relay in its own process, for tests and the benchmark that need real
 * processes (two relays over one database, kill -9). Started with tsx; takes
 * everything from the environment, prints {"port": n} on stdout once listening,
 * and shuts down gracefully on SIGTERM.
 *
 *   KEYDEPOT_RELAY_DB_URL        store URL (already migrated)
 *   KEYDEPOT_RELAY_SECRET_KEY    the relay's static secret key, hex
 *   KEYDEPOT_RELAY_DATA_KEY_FILE the data key file (session keys and PIN digits are stored sealed)
 *   KEYDEPOT_RELAY_KILL_AFTER_COMMIT=1  SIGKILL itself after the first committed batch, before any ack goes out
 *   KEYDEPOT_RELAY_LOG_LEVEL     pino level (default silent)
 */
import { fromHex, keyPairFromSecret, loadCryptoBackend } from '@keydepot/shared';
import pino from 'pino';
import { loadDataSealer } from '../../src/keys/data-key.js';
import { startRelay } from '../../src/relay/relay.js';
import { openDatabase } from '../../src/store/database.js';

const url = process.env.KEYDEPOT_RELAY_DB_URL;
const secret = process.env.KEYDEPOT_RELAY_SECRET_KEY;
const dataKeyFile = process.env.KEYDEPOT_RELAY_DATA_KEY_FILE;
if (!url || !secret || !dataKeyFile) {
  throw new Error('KEYDEPOT_RELAY_DB_URL, KEYDEPOT_RELAY_SECRET_KEY and KEYDEPOT_RELAY_DATA_KEY_FILE are required');
}
const backend = await loadCryptoBackend('sodium-native');
const store = openDatabase(url, { mysqlPoolSize: 4, sealer: await loadDataSealer(dataKeyFile) });
const killAfterCommit = process.env.KEYDEPOT_RELAY_KILL_AFTER_COMMIT === '1';
const relay = await startRelay({
  store,
  relayKeys: keyPairFromSecret(backend, fromHex(secret)),
  backend,
  logger: pino({ level: process.env.KEYDEPOT_RELAY_LOG_LEVEL ?? 'silent' }),
  rateLimitBy: 'ip-port',
  handshakeLimits: { globalPerSecond: 100_000, perSecond: 1_000, burst: 1_000 },
  pollIntervalMs: 100,
  afterCommit: killAfterCommit ? () => process.kill(process.pid, 'SIGKILL') : undefined,
});
process.stdout.write(`${JSON.stringify({ port: relay.port })}\n`);
const stop = async () => {
  await relay.close();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
