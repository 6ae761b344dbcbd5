import { appendAudit } from '../store/audit.js';
import { depotForAudit, revokeDepot } from '../store/depots.js';
import { type CliContext, type Command, depotIdOption, HELP_OPTION, type OptionValues } from './command.js';

/** `depot revoke`: a stolen or retired depot. The relay drops its handshakes from now on. */
export const depotRevoke: Command = {
  name: 'depot revoke',
  summary: 'revoke a depot: the relay drops its handshakes and sessions',
  help: ['--depot <id>            the depot (required)'],
  options: { ...HELP_OPTION, depot: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const depotId = depotIdOption(values);
    const { db } = await context.store();
    const nowMs = context.now();
    const change = await db.transaction().execute(async (trx) => {
      const change = await revokeDepot(trx, { depotId, nowMs });
      if (change.before.revokedAtMs === null) {
        await appendAudit(trx, {
          atMs: nowMs,
          actor: 'cli',
          action: 'depot.revoke',
          organisationId: change.after.organisationId,
          depotId,
          subject: change.after.name,
          before: depotForAudit(change.before),
          after: depotForAudit(change.after),
        });
      }
      return change;
    });
    const when = new Date(change.after.revokedAtMs ?? nowMs).toISOString();
    if (change.before.revokedAtMs !== null) {
      context.print(`Depot ${depotId} "${change.after.name}" was already revoked at ${when}.`);
    } else {
      context.print(`Depot ${depotId} "${change.after.name}" revoked at ${when}; the relay drops its handshakes.`);
    }
  },
};
