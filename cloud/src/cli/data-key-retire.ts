import type { Kysely } from 'kysely';
import { keyIdsOf, type RetireResult, retireDataKeys } from '../keys/data-key-rotation.js';
import { appendAudit } from '../store/audit.js';
import type { Schema } from '../store/schema.js';
import { type CliContext, type Command, HELP_OPTION } from './command.js';
import { describeUses, withSealedValueErrors } from './data-key-report.js';

/**
 * `data-key retire`: removes from the key file every old data key that no
 * sealed value uses (checked by a scan of each value's key-id byte). Database
 * backups from before the rotation still need the removed keys: keep the key
 * file backup that goes with them.
 */
export const dataKeyRetire: Command = {
  name: 'data-key retire',
  summary: 'remove the old data keys that no sealed value uses any more',
  help: [],
  options: { ...HELP_OPTION },
  async run(context: CliContext): Promise<void> {
    const { db } = await context.store();
    const result = await withSealedValueErrors(() => retireDataKeys({ db, file: context.config.dataKeyFile }));
    await reportRetired(context, db, result);
  },
};

/** Audits a retirement that removed keys, and prints what went and what stays. */
export async function reportRetired(context: CliContext, db: Kysely<Schema>, result: RetireResult): Promise<void> {
  const { before, after, removed } = result;
  if (removed.length > 0) {
    await appendAudit(db, {
      atMs: context.now(),
      actor: 'cli',
      action: 'data-key.retire',
      subject: `data keys ${removed.join(', ')}`,
      before: { currentKeyId: before.currentId, keyIds: keyIdsOf(before) },
      after: { currentKeyId: after.currentId, keyIds: keyIdsOf(after) },
    });
    context.print(`Retired data key${removed.length === 1 ? '' : 's'} ${removed.join(', ')}.`);
  } else {
    context.print('No data key to retire.');
  }
  context.print(`Keys in the file: ${keyIdsOf(after).join(', ')} (current ${after.currentId}).`);
  if (result.kept.length > 0) {
    context.print(`Kept because values still use them: ${describeUses(result.kept)}; run data-key rotate first.`);
  }
}
