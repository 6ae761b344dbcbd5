/**
 * @keydepot/cloud: what other packages run of the cloud (the simulator, its
 * demo and load runs): the whole cloud process (`serve`), the relay alone
 * over any datagram endpoint, the CLI, and the key and config files they read.
 * The store functions they write through are in `@keydepot/cloud/store`.
 */

export { buildBundle } from './cli/bundle-file.js';
export { runCli } from './cli/run-cli.js';
export { type CloudConfig, loadConfig } from './config.js';
export { type DataSealer, loadDataSealer } from './keys/data-key.js';
export { loadOfflineMasterKey } from './keys/offline-master-key.js';
export { loadRelayKey } from './keys/relay-key.js';
export { createLogger, silentLogger } from './log.js';
export { RelayMetrics } from './metrics.js';
export { SESSION_COOKIE } from './portal/session/session-middleware.js';
export { HandshakeRateLimiter, type HandshakeRateLimiterOptions } from './relay/handshake-rate-limiter.js';
export { type Relay, type RelayOptions, startRelay } from './relay/relay.js';
export { type Running, type StartCloudOptions, startCloud } from './start-cloud.js';
export { startTotpEnrolment, TOTP_STEP_MS, totpCode, useTotpCode } from './store/second-factor/totp.js';
export { findUserByUsername } from './store/users.js';
