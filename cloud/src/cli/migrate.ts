import { migrateToLatest } from '../store/migrate.js';
import { type CliContext, type Command, HELP_OPTION } from './command.js';

/** `migrate`: applies every pending schema migration (serve and the other commands also do so on start). */
export const migrate: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: [],
  options: { ...HELP_OPTION },
  async run(context: CliContext): Promise<void> {
    const store = await context.store({ migrate: false });
    const applied = await migrateToLatest(store);
    if (applied.length === 0) context.print(`The ${store.dialect} database is up to date.`);
    else context.print(`Applied to the ${store.dialect} database: ${applied.join(', ')}.`);
  },
};
