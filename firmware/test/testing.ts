/**
 * @keydepot/firmware/testing: the firmware's test helpers for tests in other
 * packages (e2e/), so that none of them reaches into firmware/test by a
 * relative path. Never imported by production code (the import border check
 * refuses it).
 */
export { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
export { freeUdpPort } from './support/test-relay.js';
