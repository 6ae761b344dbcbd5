import { listOrganisations } from '../store/organisations.js';
import { type CliContext, type Command, HELP_OPTION } from './command.js';

/** `org list`: id and name of every organisation. */
export const organisationList: Command = {
  name: 'org list',
  summary: 'list organisations',
  help: [],
  options: { ...HELP_OPTION },
  async run(context: CliContext): Promise<void> {
    const { db } = await context.store();
    const organisations = await listOrganisations(db);
    if (organisations.length === 0) context.print('No organisations.');
    for (const organisation of organisations) context.print(`${organisation.id}\t${organisation.name}`);
  },
};
