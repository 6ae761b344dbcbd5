/** @keydepot/cloud: relay and portal. Built up by the relay and portal issues. */

export type { CliIo } from './cli/command.js';
export { runCli } from './cli/run-cli.js';
export { createApp } from './http/app.js';
export { loadDataSealer } from './keys/data-key.js';
export { loadRelayKey } from './keys/relay-key.js';
export { createLogger, silentLogger } from './log.js';
export { RelayMetrics } from './metrics.js';
export { SESSION_COOKIE } from './portal/session/session-middleware.js';
export { HandshakeRateLimiter, type HandshakeRateLimiterOptions } from './relay/handshake-rate-limiter.js';
export { type Relay, type RelayOptions, startRelay } from './relay/relay.js';
export { type Running, type ServeOptions, serve } from './serve.js';
export { type Dialect, openDatabase, type StoreDatabase } from './store/database.js';
export { migrateToLatest } from './store/migrate.js';
export {
  CommandRejectedError,
  expireQueuedCommands,
  type QueueCommandOptions,
  queueCommand,
} from './store/relay/commands.js';
export { listRelayEvents } from './store/relay/presence.js';
export { startTotpEnrolment, TOTP_STEP_MS, totpCode, useTotpCode } from './store/second-factor/totp.js';
export { findUserByUsername } from './store/users.js';
