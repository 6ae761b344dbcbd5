import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenario } from './run-scenario.js';
import { parseScenario, ScenarioError } from './scenario-file.js';

/** `sim run <file>…`: runs scenario files one after another; exit code 1 if any fails, 2 on a bad file. */
export async function runScenarioCli(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' } },
  });
  if (positionals.length === 0) {
    print('usage: sim run <scenario.json>… [--data-dir <dir>]   (examples: simulator/scenarios/)');
    return 2;
  }
  const scenarios = [];
  for (const file of positionals) {
    try {
      scenarios.push(parseScenario(readFileSync(file, 'utf8'), basename(file)));
    } catch (error) {
      if (!(error instanceof ScenarioError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      print(`${file}: ${(error as Error).message}`);
      return 2;
    }
  }
  let failed = 0;
  for (const [index, scenario] of scenarios.entries()) {
    if (index > 0) print('');
    const result = await runScenario(scenario, { print, dataDir: values['data-dir'] });
    if (!result.passed) failed++;
  }
  if (scenarios.length > 1) print(`\n${scenarios.length - failed} of ${scenarios.length} scenarios passed`);
  return failed === 0 ? 0 : 1;
}
