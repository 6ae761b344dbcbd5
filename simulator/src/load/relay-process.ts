/**
 * The relay of a load run in its own process, so that its CPU time and memory
 * are its own: the cloud's `serve` (store migrated, relay key from the data
 * folder, UDP relay, HTTP with /metrics) as `keydepot-cloud serve` starts it,
 * but on ports the system picks (port 0), which it reports over IPC.
 *
 *   LOAD_DATABASE_URL=…  LOAD_RELAY_KEY_FILE=…  (fork with an IPC channel)
 */
import { createLogger, loadRelayKey, serve } from '@keydepot/cloud';
import { loadCryptoBackend } from '@keydepot/shared';

const backend = await loadCryptoBackend('sodium-native');
const { keyPair } = await loadRelayKey({
  file: process.env.LOAD_RELAY_KEY_FILE ?? '',
  backend,
  createIfMissing: false,
});
// Warnings and errors only, as JSON lines on stdout (the driver keeps them in a log file).
const running = await serve({
  databaseUrl: process.env.LOAD_DATABASE_URL ?? '',
  relayKeys: keyPair,
  logger: createLogger({ level: 'warn' }),
  backend,
  udpHost: '127.0.0.1',
  udpPort: 0,
  httpPort: 0,
  handleSignals: false,
});
process.send?.({ type: 'listening', udpPort: running.relay.port, httpPort: running.httpPort });
// The driver is gone (killed, crashed): do not linger with thousands of sockets open.
process.once('disconnect', () => process.exit(1));
process.once('SIGTERM', () => {
  running.shutdown().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
