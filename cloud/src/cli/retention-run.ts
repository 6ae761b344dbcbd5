import { runRetention } from '../store/customers/retention.js';
import { type CliContext, type Command, HELP_OPTION, type OptionValues, optionalText } from './command.js';
import { resolveOrganisation } from './organisation.js';

/**
 * `retention run`: the retention job (run it daily, e.g. from cron or a
 * systemd timer): erases customers past their organisation's retention
 * setting without open business, and restricted invoice recipients whose
 * ten-year retention (§147 AO) has ended. Every erasure and the run are audited.
 */
export const retentionRun: Command = {
  name: 'retention run',
  summary: 'erase customer data whose retention period has ended (run daily)',
  help: ['--org <id or name>      only this organisation (default: all)'],
  options: { ...HELP_OPTION, org: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const { db } = await context.store();
    const org = optionalText(values, 'org');
    const organisationId = org === undefined ? undefined : (await resolveOrganisation(db, org)).id;
    const reports = await runRetention(db, { nowMs: context.now(), actor: 'cli', organisationId });
    const customers = reports.reduce((s, r) => s + r.erasedCustomers, 0);
    const recipients = reports.reduce((s, r) => s + r.erasedRecipients, 0);
    context.print(
      `Retention run over ${reports.length} organisation${reports.length === 1 ? '' : 's'}: ` +
        `${customers} customer${customers === 1 ? '' : 's'} erased, ` +
        `${recipients} invoice recipient${recipients === 1 ? '' : 's'} erased.`,
    );
  },
};
