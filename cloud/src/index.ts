/** @keydepot/cloud: relay and portal. Built up by the relay and portal issues. */
export { HandshakeRateLimiter } from './relay/handshake-rate-limiter.js';
