import { appendAudit } from '../store/audit.js';
import { resetSecondFactor } from '../store/second-factor/reset.js';
import { findUserByUsername } from '../store/users.js';
import { type CliContext, CliError, type Command, HELP_OPTION, type OptionValues, requiredText } from './command.js';

/**
 * `user reset-2fa`: for an owner locked out without phone, passkey or
 * recovery codes. Run on the server after checking who is asking (the portal
 * cannot tell a locked-out owner from someone holding only their password).
 */
export const userResetSecondFactor: Command = {
  name: 'user reset-2fa',
  summary: "remove a user's second factors (authenticator app, passkeys, recovery codes) and end their sessions",
  help: ['--username <name>    the account (required)'],
  options: { ...HELP_OPTION, username: { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const username = requiredText(values, 'username');
    const { db } = await context.store();
    const user = await findUserByUsername(db, username);
    if (!user) throw new CliError(`there is no user named '${username}'`);
    const nowMs = context.now();
    const removed = await db.transaction().execute(async (trx) => {
      const removed = await resetSecondFactor(trx, user.id, nowMs);
      await appendAudit(trx, {
        atMs: nowMs,
        actor: 'cli',
        action: 'user.second-factor-reset',
        subject: username,
        before: { authenticatorApp: removed.totp, passkeys: removed.passkeys },
      });
      return removed;
    });
    context.print(
      `Second factor of ${username} reset: authenticator app ${removed.totp ? 'removed' : 'none'}, ` +
        `${removed.passkeys} passkey(s) removed, recovery codes removed, sessions ended.`,
    );
    context.print('If a second factor is required for this account, the next login asks to set one up.');
  },
};
