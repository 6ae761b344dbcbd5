import { toHex } from '@keydepot/shared';
import { type Depot, listDepots } from '../store/depots.js';
import { listOrganisations } from '../store/organisations.js';
import { type CliContext, type Command, HELP_OPTION, type OptionValues, optionalText } from './command.js';
import { resolveOrganisation } from './organisation.js';

/** `depot list`: every depot (or one organisation's) with its state, as a table or JSON. */
export const depotList: Command = {
  name: 'depot list',
  summary: 'list depots with their state',
  help: ['--org <id or name>      only this organisation', '--json                  one JSON array instead of a table'],
  options: { ...HELP_OPTION, org: { type: 'string' }, json: { type: 'boolean' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const { db } = await context.store();
    const orgRef = optionalText(values, 'org');
    const organisationId = orgRef === undefined ? undefined : (await resolveOrganisation(db, orgRef)).id;
    const depots = await listDepots(db, { organisationId });
    if (values.json === true) {
      const rows = depots.map((depot) => ({ ...depot, publicKey: toHex(depot.publicKey), state: stateOf(depot) }));
      context.print(JSON.stringify(rows, null, 2));
      return;
    }
    if (depots.length === 0) {
      context.print('No depots.');
      return;
    }
    const organisations = new Map((await listOrganisations(db)).map((o) => [o.id, o.name]));
    const table = [
      ['ID', 'ORGANISATION', 'NAME', 'COMPARTMENTS', 'STATE', 'LAST SEEN', 'PUBLIC KEY'],
      ...depots.map((depot) => [
        String(depot.id),
        organisations.get(depot.organisationId) ?? String(depot.organisationId),
        depot.name,
        String(depot.compartmentCount),
        stateOf(depot),
        depot.lastSeenMs === null ? '-' : new Date(depot.lastSeenMs).toISOString(),
        `${toHex(depot.publicKey).slice(0, 16)}…`,
      ]),
    ];
    const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
    for (const row of table)
      context.print(
        row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      );
  },
};

function stateOf(depot: Depot): 'revoked' | 'online' | 'offline' | 'never seen' {
  if (depot.revokedAtMs !== null) return 'revoked';
  if (depot.online) return 'online';
  return depot.lastSeenMs === null ? 'never seen' : 'offline';
}
