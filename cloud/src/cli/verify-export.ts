import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { verifyExport } from '../exports/export-integrity.js';
import { type CliContext, CliError, type Command, HELP_OPTION, type OptionValues, requiredText } from './command.js';

/**
 * `verify-export <file>`: recomputes the SHA-256 an export (portal download
 * or `audit list --format csv`) ends with. Exit 0 and "intact" when every
 * byte is as exported; exit 1 and "altered" (or "not a keydepot export") when
 * not. Needs no database: a copy is checked wherever it is.
 */
export const verifyExportCommand: Command = {
  name: 'verify-export',
  summary: 'check that a CSV or PDF export is unchanged since it was exported',
  help: ['<file>                  the exported .csv or .pdf file'],
  options: { ...HELP_OPTION },
  positional: 'file',
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const name = requiredText(values, 'file');
    const path = isAbsolute(name) ? name : join(context.cwd, name);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new CliError(`cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const verdict = verifyExport(bytes);
    if (verdict.state === 'unsigned') {
      throw new CliError(`${name}: not a keydepot export (no SHA-256 line at its end)`);
    }
    if (verdict.state === 'altered') {
      throw new CliError(
        `${name}: ALTERED: its ${verdict.format.toUpperCase()} content hashes to ${verdict.actual}, the export recorded ${verdict.sha256}`,
      );
    }
    context.print(`${name}: intact (${verdict.format.toUpperCase()}, SHA-256 ${verdict.sha256})`);
    if (verdict.filter) context.print(`filter: ${verdict.filter}`);
  },
};
