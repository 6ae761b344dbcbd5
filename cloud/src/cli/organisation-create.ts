import { appendAudit } from '../store/audit.js';
import { createOrganisation } from '../store/organisations.js';
import { type CliContext, type Command, HELP_OPTION, type OptionValues, requiredText } from './command.js';

/** `org create`: a depot operator. Prints the new id, which `--org` accepts like the name. */
export const organisationCreate: Command = {
  name: 'org create',
  summary: 'create an organisation (a depot operator)',
  help: ['--name <name>           unique organisation name (required)'],
  options: { ...HELP_OPTION, name: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const name = requiredText(values, 'name');
    const { db } = await context.store();
    const nowMs = context.now();
    const organisation = await db.transaction().execute(async (trx) => {
      const organisation = await createOrganisation(trx, { name, nowMs });
      await appendAudit(trx, {
        atMs: nowMs,
        actor: 'cli',
        action: 'organisation.create',
        organisationId: organisation.id,
        subject: organisation.name,
        after: organisation,
      });
      return organisation;
    });
    context.print(String(organisation.id));
  },
};
