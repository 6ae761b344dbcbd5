/** The depot core: keypad session, PIN verdicts, lockout, trusted clock, compartments and commands. */
export { createDepotCore, type DepotCore, type DepotCoreOptions, type DepotLogger } from './depot-core.js';
export { derivePinMacKey, pinMac } from './pin-verdict.js';
export { DEFAULT_SETTINGS, type DepotSettings } from './settings.js';
