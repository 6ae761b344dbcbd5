import { isOrganisationRole, ORGANISATION_ROLES, setOrganisationRole } from '../store/organisation-roles.js';
import { findUserByUsername } from '../store/users.js';
import {
  type CliContext,
  CliError,
  type Command,
  HELP_OPTION,
  type OptionValues,
  requiredText,
  UsageError,
} from './command.js';
import { resolveOrganisation } from './organisation.js';

/** `org role`: gives a user a role on an organisation's customers and invoices (or takes it). */
export const organisationRoleCommand: Command = {
  name: 'org role',
  summary: "give a user a role (viewer, manager, none) on an organisation's customers and invoices",
  help: [
    '--org <id or name>      the organisation (required)',
    '--user <username>       the user (required)',
    `--role <role>           ${ORGANISATION_ROLES.join(', ')} or none (required); depot owners are managers anyway`,
  ],
  options: { ...HELP_OPTION, org: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const username = requiredText(values, 'user');
    const role = requiredText(values, 'role');
    if (role !== 'none' && !isOrganisationRole(role)) {
      throw new UsageError(`--role must be one of ${ORGANISATION_ROLES.join(', ')}, none; got '${role}'`);
    }
    const { db } = await context.store();
    const organisation = await resolveOrganisation(db, requiredText(values, 'org'));
    const user = await findUserByUsername(db, username);
    if (!user) throw new CliError(`there is no user '${username}'`);
    await setOrganisationRole(db, {
      organisationId: organisation.id,
      userId: user.id,
      role: role === 'none' ? null : role,
      nowMs: context.now(),
      actor: 'cli',
      actorUserId: null,
    });
    context.print(
      role === 'none'
        ? `${username} has no role on the customers of "${organisation.name}" now (unless they own one of its depots).`
        : `${username} is now ${role} of the customers and invoices of "${organisation.name}".`,
    );
  },
};
