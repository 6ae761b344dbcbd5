/** The depot's SQLite store. */
export { DepotStore, type OpenDepotStoreOptions, openDepotStore } from './depot-store.js';
export { MIGRATIONS, SchemaVersionError } from './migrations.js';
export type { LockoutRecord, NewEvent, NewPin, PinRecord, StoredResult } from './records.js';
