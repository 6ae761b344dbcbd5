import type { Kysely } from 'kysely';
import { findOrganisationById, findOrganisationByName, type Organisation } from '../store/organisations.js';
import type { Schema } from '../store/schema.js';
import { CliError } from './command.js';

/** `--org <id or name>`: digits are an id, anything else a name. */
export async function resolveOrganisation(db: Kysely<Schema>, idOrName: string): Promise<Organisation> {
  const organisation = /^\d+$/.test(idOrName)
    ? await findOrganisationById(db, Number(idOrName))
    : await findOrganisationByName(db, idOrName);
  if (!organisation) throw new CliError(`there is no organisation '${idOrName}' (see keydepot-cloud org list)`);
  return organisation;
}
