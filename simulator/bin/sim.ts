/**
 * `pnpm sim`: the simulator's entry point. `sim` or `sim interactive` opens the
 * prompt, `sim run <file>` runs scenarios headless, `sim load …` the load mode.
 */
import { existsSync } from 'node:fs';
import { runInteractiveCli } from '../src/interactive/cli.js';
import { helpText } from '../src/interactive/command-line.js';
import { runScenarioCli } from '../src/scenario/cli.js';

const USAGE = `usage: pnpm sim [interactive]          a prompt to drive simulated depots (type 'help' there)
       pnpm sim run <scenario.json>…   run scenario files headless (examples: simulator/scenarios/)
       pnpm sim commands [command]     the commands both know (a scenario step's "do", a prompt line)
       pnpm sim load …                 the load mode (pnpm sim load --help)`;

async function main(argv: string[]): Promise<number> {
  // `pnpm sim --quiet` or `pnpm sim --speed 60`: options without a mode belong to the interactive mode.
  const [mode = 'interactive', ...rest] =
    argv[0]?.startsWith('--') && argv[0] !== '--help' ? ['interactive', ...argv] : argv;
  const print = (line: string) => console.log(line);
  switch (mode) {
    case 'interactive':
      return runInteractiveCli(rest, { input: process.stdin, output: process.stdout });
    case 'run':
      return runScenarioCli(rest, print);
    case 'commands':
      for (const line of helpText(rest[0])) print(line);
      return 0;
    case 'load': {
      // The load mode is its own module, built separately; it may not be there yet.
      const loadCli = new URL('../src/load/cli.ts', import.meta.url);
      if (!existsSync(loadCli)) {
        console.error('load mode not built yet');
        return 2;
      }
      const { runLoadCli } = (await import(loadCli.href)) as { runLoadCli(argv: string[]): Promise<number> };
      return runLoadCli(rest);
    }
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`sim failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
