import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { appendAudit } from '../store/audit.js';
import { addOrganisationMember } from '../store/organisations.js';
import { createUser, MIN_PASSWORD_LENGTH } from '../store/users.js';
import {
  type CliContext,
  CliError,
  type Command,
  HELP_OPTION,
  type OptionValues,
  optionalText,
  requiredText,
  UsageError,
} from './command.js';
import { languageOption } from './depot-create.js';
import { resolveOrganisation } from './organisation.js';

/**
 * `user create`: a portal account, e.g. the first service operator. The
 * password comes from a file or standard input (never from the command line,
 * where `ps` and shell history would show it), or is generated and shown once.
 */
export const userCreate: Command = {
  name: 'user create',
  summary: 'create a portal user (the first admin: --operator)',
  help: [
    '--username <name>       login name (required)',
    '--display-name <name>   shown name (default: the username)',
    '--operator              service operator: may provision depots for every organisation',
    '--org <id or name>      make the user a member of this organisation',
    '--language <de|en>      portal language (default de)',
    '--password-file <file>  read the password from the first line of a file',
    '--password-stdin        read the password from the first line of standard input',
    '                        (neither: a password is generated and printed once)',
  ],
  options: {
    ...HELP_OPTION,
    username: { type: 'string' },
    'display-name': { type: 'string' },
    operator: { type: 'boolean' },
    org: { type: 'string' },
    language: { type: 'string' },
    'password-file': { type: 'string' },
    'password-stdin': { type: 'boolean' },
  },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const username = requiredText(values, 'username');
    const language = languageOption(values);
    const orgRef = optionalText(values, 'org');
    const { password, generated } = await passwordFrom(context, values);
    const { db } = await context.store();
    const nowMs = context.now();
    const { user, organisation } = await db.transaction().execute(async (trx) => {
      const organisation = orgRef === undefined ? undefined : await resolveOrganisation(trx, orgRef);
      const user = await createUser(trx, {
        username,
        displayName: optionalText(values, 'display-name'),
        password,
        isOperator: values.operator === true,
        language,
        nowMs,
      });
      await appendAudit(trx, { atMs: nowMs, actor: 'cli', action: 'user.create', subject: username, after: user });
      if (organisation) {
        await addOrganisationMember(trx, { organisationId: organisation.id, userId: user.id, nowMs });
        await appendAudit(trx, {
          atMs: nowMs,
          actor: 'cli',
          action: 'organisation.member.add',
          organisationId: organisation.id,
          subject: username,
          after: { userId: user.id, username },
        });
      }
      return { user, organisation };
    });
    const role = user.isOperator ? 'service operator' : 'user';
    const where = organisation ? ` in organisation ${organisation.id} "${organisation.name}"` : '';
    context.print(`Created ${role} ${user.username} (id ${user.id})${where}.`);
    if (generated) context.print(`Password (shown only now): ${password}`);
  },
};

async function passwordFrom(
  context: CliContext,
  values: OptionValues,
): Promise<{ password: string; generated: boolean }> {
  const file = optionalText(values, 'password-file');
  const fromStdin = values['password-stdin'] === true;
  if (file !== undefined && fromStdin) throw new UsageError('give --password-file or --password-stdin, not both');
  let text: string;
  if (file !== undefined) {
    try {
      text = await readFile(isAbsolute(file) ? file : join(context.cwd, file), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the password file: ${(error as Error).message}`);
    }
  } else if (fromStdin) {
    const chunks: string[] = [];
    for await (const chunk of context.io.stdin)
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    text = chunks.join('');
  } else {
    // 18 random bytes: 144 bits, 24 characters without padding.
    return { password: randomBytes(18).toString('base64url'), generated: true };
  }
  const password = text.split(/\r?\n/, 1)[0];
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new CliError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return { password, generated: false };
}
