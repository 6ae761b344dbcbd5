/** @keydepot/shared: the depot ↔ cloud wire protocol (docs/protocol.md). */
export * from './bytes.js';
export * from './command-order.js';
export * from './constants.js';
export * from './crypto/index.js';
export * from './datagram-endpoint.js';
export * from './errors.js';
export * from './frame-codec.js';
export * from './frames.js';
export * from './handshake.js';
export * from './noise/cookie.js';
export * from './offline-pin.js';
export * from './owner-only-files.js';
export * from './provisioning-bundle.js';
export * from './receive.js';
export * from './replay-window.js';
export * from './session.js';
export * from './telegram.js';
