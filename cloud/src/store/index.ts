/**
 * @keydepot/cloud/store: the store as other packages use it (the simulator's
 * provisioning, its scenario checks and command pumps): open and migrate it,
 * create organisations and depots, queue commands, read a PIN's state as the
 * portal shows it.
 */

export { appendAudit } from './audit.js';
export { openDatabase, type StoreDatabase } from './database.js';
export { createDepot, depotForAudit } from './depots.js';
export { migrateToLatest } from './migrate.js';
export { createOrganisation } from './organisations.js';
export { type PinDisplayState, type PinKindName, pinState } from './portal/pins.js';
export { CommandRejectedError, queueCommand } from './relay/commands.js';
export type { CommandState } from './schema.js';
