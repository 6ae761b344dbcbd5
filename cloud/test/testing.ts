/**
 * @keydepot/cloud/testing: the cloud's test helpers for tests in other packages
 * (e2e/, simulator/test/), so that none of them reaches into cloud/test or
 * cloud/src by a relative path. Never imported by production code (the import
 * border check refuses it).
 */

export { readDataKeys } from '../src/keys/data-key-file.js';
export { openSessionKeys } from '../src/store/relay/sessions.js';
export { type CliHarness, type CliRun, createCliHarness } from './cli/cli-harness.js';
export { createTestDatabase, type TestDatabase, testDialects } from './databases.js';
export { csrfTokenIn } from './portal/portal-harness.js';
export { insertDepot } from './relay/fixtures.js';
export { keySecret, leaks, mysqlDumps, type Secret, textSecret } from './secret-search.js';
