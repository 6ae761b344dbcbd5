import type { Migration } from 'kysely/migration';
import { core } from './001-core.js';
import { relay } from './002-relay.js';
import { depotKeyChange } from './003-depot-key-change.js';
import { portal } from './004-portal.js';
import { eventAlerts } from './005-event-alerts.js';
import { pinCommands } from './006-pin-commands.js';
import { eventsKindTime } from './007-events-kind-time.js';
import { depotNewestEvent } from './008-depot-newest-event.js';
import { organisationNameUnique } from './009-organisation-name-unique.js';
import { sealedSecrets } from './010-sealed-secrets.js';
import { exportJobs } from './011-export-jobs.js';
import { customersInvoices } from './012-customers-invoices.js';
import { paymentsMail } from './013-payments-mail.js';
import { depotHealth } from './014-depot-health.js';
import { secondFactor } from './015-second-factor.js';

/**
 * Every schema change, applied in name order on start and by `keydepot-cloud migrate`.
 * A new feature adds a new file here; an applied migration is never edited.
 */
export const migrations: Record<string, Migration> = {
  '001-core': core,
  '002-relay': relay,
  '003-depot-key-change': depotKeyChange,
  '004-portal': portal,
  '005-event-alerts': eventAlerts,
  '006-pin-commands': pinCommands,
  '007-events-kind-time': eventsKindTime,
  '008-depot-newest-event': depotNewestEvent,
  '009-organisation-name-unique': organisationNameUnique,
  '010-sealed-secrets': sealedSecrets,
  '011-export-jobs': exportJobs,
  '012-customers-invoices': customersInvoices,
  '013-payments-mail': paymentsMail,
  '014-depot-health': depotHealth,
  '015-second-factor': secondFactor,
};
