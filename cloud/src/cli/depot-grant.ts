import { appendAudit } from '../store/audit.js';
import { requireDepot } from '../store/depots.js';
import { DEPOT_ROLES, grantDepotRole, isDepotRole } from '../store/grants.js';
import { findUserByUsername } from '../store/users.js';
import {
  type CliContext,
  CliError,
  type Command,
  depotIdOption,
  HELP_OPTION,
  type OptionValues,
  requiredText,
  UsageError,
} from './command.js';

/** `depot grant`: gives a user a role on a depot, e.g. the first owner after `depot create`. */
export const depotGrant: Command = {
  name: 'depot grant',
  summary: 'give a user a role (owner, manager, viewer) on a depot',
  help: [
    '--depot <id>            the depot (required)',
    '--user <username>       the user (required)',
    `--role <role>           ${DEPOT_ROLES.join(', ')} (required); replaces the user's role there`,
  ],
  options: { ...HELP_OPTION, depot: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const depotId = depotIdOption(values);
    const username = requiredText(values, 'user');
    const role = requiredText(values, 'role');
    if (!isDepotRole(role)) throw new UsageError(`--role must be one of ${DEPOT_ROLES.join(', ')}, got '${role}'`);
    const { db } = await context.store();
    const nowMs = context.now();
    const { depot, before } = await db.transaction().execute(async (trx) => {
      const depot = await requireDepot(trx, depotId);
      const user = await findUserByUsername(trx, username);
      if (!user) throw new CliError(`there is no user '${username}'`);
      const { before } = await grantDepotRole(trx, { depotId, userId: user.id, role, nowMs });
      if (before !== role) {
        await appendAudit(trx, {
          atMs: nowMs,
          actor: 'cli',
          action: 'depot.grant',
          organisationId: depot.organisationId,
          depotId,
          subject: username,
          before: before === null ? undefined : { username, role: before },
          after: { username, role },
        });
      }
      return { depot, before };
    });
    const change =
      before === null ? `now ${role}` : before === role ? `already ${role}` : `now ${role} (was ${before})`;
    context.print(`${username} is ${change} of depot ${depotId} "${depot.name}".`);
  },
};
