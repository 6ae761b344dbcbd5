/**
 * The relay of a load run in its own process, so that its CPU time and memory
 * are its own: the cloud's `startCloud` (store migrated, relay key from the data
 * folder, UDP relay, HTTP with /metrics) as `keydepot-cloud serve` starts it,
 * but on ports the system picks (port 0), which it reports over IPC.
 *
 *   LOAD_DATABASE_URL=…  LOAD_RELAY_KEY_FILE=…  LOAD_DATA_KEY_FILE=…  LOAD_SPEEDUP=60  (fork with an IPC channel)
 *
 * Its clock starts in real time and follows the depots' speed-up on the
 * driver's `{ type: 'speed' }` message.
 */
import { createLogger, loadRelayKey, startCloud } from '@keydepot/cloud';
import { loadCryptoBackend } from '@keydepot/shared';

const backend = await loadCryptoBackend('sodium-native');
// The depots' clocks run `speedup` times faster in the load phase; the relay's TIME frames must too, or every
// check-in would find a depot's clock a minute off and journal a CLOCK_SET correction (an event storm the field
// never sees). Switched by the driver with the depots' clocks (TIME tolerates a minute of skew).
const speedup = Number(process.env.LOAD_SPEEDUP ?? 1);
let base = { realMs: Date.now(), relayMs: Date.now(), speed: 1 };
const clock = () => base.relayMs + (Date.now() - base.realMs) * base.speed;
const { keyPair } = await loadRelayKey({
  file: process.env.LOAD_RELAY_KEY_FILE ?? '',
  backend,
  createIfMissing: false,
});
// Warnings and errors only, as JSON lines on stdout (the driver keeps them in a log file).
const running = await startCloud({
  databaseUrl: process.env.LOAD_DATABASE_URL ?? '',
  dataKeyFile: process.env.LOAD_DATA_KEY_FILE ?? '',
  relayKeys: keyPair,
  logger: createLogger({ level: 'warn' }),
  backend,
  udpHost: '127.0.0.1',
  udpPort: 0,
  httpPort: 0,
  relay: {
    clock,
    // The handshake limits (the protocol's defaults) count in the relay clock's seconds: real ones while the
    // fleet boots, when every handshake happens; in the sped-up load phase they admit `speedup` times more.
    // Last-seen writes at the field's real-time rate in the load phase, not one per simulated second
    // (a minute apart while booting, within the 185 s after which a depot counts as offline).
    lastSeenEveryMs: 1_000 * speedup,
  },
});
process.send?.({ type: 'listening', udpPort: running.relay.port, httpPort: running.httpPort });
process.on('message', (message: { type: string; speedup: number }) => {
  if (message.type !== 'speed') return;
  const now = Date.now();
  base = { realMs: now, relayMs: clock(), speed: message.speedup };
  process.send?.({ type: 'speed', speedup: message.speedup });
});
// The driver is gone (killed, crashed): do not linger with thousands of sockets open.
process.once('disconnect', () => process.exit(1));
process.once('SIGTERM', () => {
  running.shutdown().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
