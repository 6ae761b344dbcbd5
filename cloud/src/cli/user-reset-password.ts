import { createPasswordToken, PASSWORD_TOKEN_TTL_MS } from '../portal/session/password-tokens.js';
import { appendAudit } from '../store/audit.js';
import { findUserByUsername } from '../store/users.js';
import {
  type CliContext,
  CliError,
  type Command,
  HELP_OPTION,
  type OptionValues,
  optionalText,
  requiredText,
} from './command.js';

/**
 * `user reset-password`: a one-time set-password link for a user who forgot
 * theirs (or the first login of an account made without a password). The link
 * is printed once; the old password keeps working until the link is used.
 */
export const userResetPassword: Command = {
  name: 'user reset-password',
  summary: 'print a one-time link with which a user sets a new password',
  help: [
    '--username <name>    the account (required)',
    '--portal-url <url>   the portal address as users reach it (default http://127.0.0.1:<http port>)',
  ],
  options: { ...HELP_OPTION, username: { type: 'string' }, 'portal-url': { type: 'string' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const username = requiredText(values, 'username');
    const base = (optionalText(values, 'portal-url') ?? `http://127.0.0.1:${context.config.httpPort}`).replace(
      /\/+$/,
      '',
    );
    if (!/^https?:\/\/[^/\s]+$/.test(base))
      throw new CliError(`--portal-url must be like https://portal.example.org, got '${base}'`);
    const { db } = await context.store();
    const user = await findUserByUsername(db, username);
    if (!user) throw new CliError(`there is no user named '${username}'`);
    if (user.disabledAtMs !== null) throw new CliError(`user '${username}' is disabled; enable the account first`);
    const nowMs = context.now();
    const token = await db.transaction().execute(async (trx) => {
      const token = await createPasswordToken(trx, { userId: user.id, createdByUserId: null, nowMs });
      await appendAudit(trx, { atMs: nowMs, actor: 'cli', action: 'user.password-reset', subject: username });
      return token;
    });
    context.print(`Set-password link for ${username} (works once, for ${PASSWORD_TOKEN_TTL_MS / 86_400_000} days):`);
    context.print(`${base}/set-password/${token}`);
  },
};
