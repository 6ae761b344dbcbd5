/**
 * @keydepot/firmware/testing: the firmware's test helpers for tests in other
 * packages (e2e/), so that none of them reaches into firmware/test by a
 * relative path. Never imported by production code (the import border check
 * refuses it).
 */

export { RealClock } from '../src/hardware/clock.js';
export { Link } from '../src/link/link.js';
export { type DepotFixture, provisionedDepot, waitFor } from './support/depot-fixture.js';
export { FakeDepotPort } from './support/fake-depot-port.js';
export { type SimulatedDaemon, startSimulatedDaemon } from './support/simulated-daemon.js';
export { freeUdpPort } from './support/test-relay.js';
