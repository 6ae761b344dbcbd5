import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOAD_HELP, LoadUsageError, parseLoadArgs } from './options.js';
import { progressPrinter } from './progress-line.js';
import { reportPassed, reportTable } from './report.js';
import { runLoad } from './run-load.js';

/**
 * `pnpm sim load …`: runs a load run with a live progress line on stderr, then
 * prints the report table on stdout and writes the JSON report. Exit code 0
 * when every invariant held, 1 when one failed or the run broke, 2 for a wrong
 * command line.
 */
export async function runLoadCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseLoadArgs>;
  try {
    parsed = parseLoadArgs(argv);
  } catch (error) {
    if (!(error instanceof LoadUsageError)) throw error;
    process.stderr.write(`error: ${error.message}\nsee: pnpm sim load --help\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(LOAD_HELP);
    return 0;
  }
  const progress = progressPrinter(process.stderr);
  try {
    const report = await runLoad({ ...parsed.load, onProgress: (sample) => progress.update(sample) });
    progress.done();
    const file = resolve(parsed.reportFile);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${reportTable(report)}\n\nReport written to ${file}\n`);
    return reportPassed(report) ? 0 : 1;
  } catch (error) {
    progress.done();
    process.stderr.write(`error: the load run failed: ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}
