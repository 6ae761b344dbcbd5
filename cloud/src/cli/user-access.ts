import { LastOperatorError, setUserDisabled } from '../store/portal/admin.js';
import { findUserByUsername } from '../store/users.js';
import { type CliContext, CliError, type Command, HELP_OPTION, type OptionValues, requiredText } from './command.js';

// `user disable` and `user enable`: the portal operator's switch on the
// accounts page (store/portal/admin.ts), for when no operator can log in or
// an account must be shut at once from the server. Nothing is deleted.

/** `user disable`: the account can no longer log in, and its open portal sessions end now. */
export const userDisable: Command = {
  name: 'user disable',
  summary: 'lock an account out of the portal and end its sessions now',
  help: ['--username <name>    the account (required)'],
  options: { ...HELP_OPTION, username: { type: 'string' } },
  run: (context, values) => switchUser(context, values, true),
};

/** `user enable`: a disabled account may log in again with its password. */
export const userEnable: Command = {
  name: 'user enable',
  summary: 'let a disabled account log in again',
  help: ['--username <name>    the account (required)'],
  options: { ...HELP_OPTION, username: { type: 'string' } },
  run: (context, values) => switchUser(context, values, false),
};

async function switchUser(context: CliContext, values: OptionValues, disable: boolean): Promise<void> {
  const username = requiredText(values, 'username');
  const { db } = await context.store();
  const user = await findUserByUsername(db, username);
  if (!user) throw new CliError(`there is no user named '${username}'`);
  let before: Awaited<ReturnType<typeof setUserDisabled>>;
  try {
    before = await setUserDisabled(db, user.id, disable, { actor: 'cli', nowMs: context.now() });
  } catch (error) {
    if (error instanceof LastOperatorError) throw new CliError(error.message);
    throw error;
  }
  // Gone between the look-up and the change: users are never deleted, so only a restored backup does this.
  if (!before) throw new CliError(`there is no user named '${username}'`);
  const wasDisabled = before.disabledAtMs !== null;
  if (wasDisabled === disable) {
    context.print(`${username} was already ${disable ? 'disabled' : 'enabled'}; nothing changed.`);
    return;
  }
  context.print(
    disable
      ? `Disabled ${username}: logged out of the portal now, no new logins until user enable.`
      : `Enabled ${username}: can log in again with their password.`,
  );
}
