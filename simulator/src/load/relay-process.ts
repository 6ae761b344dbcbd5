/**
 * The relay of a load run in its own process, so that its CPU time and memory
 * are its own: the cloud's `serve` (store migrated, relay key from the data
 * folder, UDP relay, HTTP with /metrics) as `keydepot-cloud serve` starts it,
 * but on ports the system picks (port 0), which it reports over IPC.
 *
 *   LOAD_DATABASE_URL=…  LOAD_RELAY_KEY_FILE=…  LOAD_SPEEDUP=60  (fork with an IPC channel)
 */
import { createLogger, loadRelayKey, serve } from '@keydepot/cloud';
import { loadCryptoBackend } from '@keydepot/shared';

const backend = await loadCryptoBackend('sodium-native');
// The depots' clocks run `speedup` times faster; the relay's TIME frames must too, or every check-in would
// find a depot's clock a minute off and journal a CLOCK_SET correction (an event storm the field never sees).
const speedup = Number(process.env.LOAD_SPEEDUP ?? 1);
const origin = Date.now();
const clock = () => origin + (Date.now() - origin) * speedup;
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
  relay: {
    clock,
    // The limits protect the relay's CPU, which does not speed up: the same admissions per real second
    // (the limiter counts in the relay clock's seconds, `speedup` of them per real second).
    handshakeLimits: { perSecond: 5 / speedup, burst: 5, globalPerSecond: 1_000 / speedup },
    // Last-seen writes at the field's real-time rate, not one per simulated second.
    lastSeenEveryMs: 1_000 * speedup,
  },
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
