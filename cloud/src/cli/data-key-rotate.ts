import { keyIdsOf, retireDataKeys, rotateDataKey } from '../keys/data-key-rotation.js';
import { appendAudit } from '../store/audit.js';
import { type CliContext, type Command, HELP_OPTION, integerOption, type OptionValues } from './command.js';
import { describeUses, withSealedValueErrors } from './data-key-report.js';
import { reportRetired } from './data-key-retire.js';

const DEFAULT_BATCH = 500;

/**
 * `data-key rotate`: a new data key, current from now on, and every sealed
 * value re-sealed under it (docs/design.md, Sealing data at rest). The key file is rewritten before the
 * first value is re-sealed; a run stopped halfway is finished by running the
 * command again (it then adds no key). The portal may keep running: its
 * sealer reads the rewritten file at its next seal.
 */
export const dataKeyRotate: Command = {
  name: 'data-key rotate',
  summary: 'add a new current data key and re-seal every sealed value with it',
  help: [
    `--batch-size <n>        values per transaction (default ${DEFAULT_BATCH})`,
    '--retire                afterwards remove the keys no value uses any more',
  ],
  options: { ...HELP_OPTION, 'batch-size': { type: 'string' }, retire: { type: 'boolean' } },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const batchSize =
      values['batch-size'] === undefined ? DEFAULT_BATCH : integerOption(values, 'batch-size', 1, 100_000);
    const file = context.config.dataKeyFile;
    const { db } = await context.store();
    const result = await withSealedValueErrors(() => rotateDataKey({ db, file, batchSize }));
    const { before, after } = result;
    const total = [...result.resealed.values()].reduce((sum, n) => sum + n, 0);
    await appendAudit(db, {
      atMs: context.now(),
      actor: 'cli',
      action: 'data-key.rotate',
      subject: `data key ${after.currentId}`,
      before: { currentKeyId: before.currentId, keyIds: keyIdsOf(before) },
      after: {
        currentKeyId: after.currentId,
        keyIds: keyIdsOf(after),
        resumed: result.resumed,
        resealed: Object.fromEntries(result.resealed),
        olderKeyIdsInUse: [...new Set(result.olderUses.map((u) => u.keyId))],
      },
    });

    context.print(
      result.resumed
        ? `Data key ${after.currentId} was already current: finished its unfinished re-seal (no new key).`
        : `Data key ${after.currentId} is now current (was ${before.currentId}); ${file} rewritten, mode 0400.`,
    );
    // Only the columns that had values to re-seal: a store without customers yet lists just its PINs.
    const perColumn = [...result.resealed]
      .filter(([, n]) => n > 0)
      .map(([column, n]) => `${column} ${n}`)
      .join(', ');
    context.print(`Re-sealed ${total} value${total === 1 ? '' : 's'} (${perColumn}).`);
    context.print(`Older key ids still in use: ${describeUses(result.olderUses)}.`);
    if (result.olderUses.length > 0) context.print('Run this command again to re-seal them.');
    if (values.retire === true) {
      await reportRetired(context, db, await withSealedValueErrors(() => retireDataKeys({ db, file })));
    } else if (after.keys.size > 1) {
      context.print(`Keys in the file: ${keyIdsOf(after).join(', ')}; data-key retire removes the unused ones.`);
    }
  },
};
