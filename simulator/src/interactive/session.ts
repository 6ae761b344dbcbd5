import { createInterface } from 'node:readline';
import { Args } from '../scenario/command.js';
import { compartmentLine, displayLine } from '../scenario/depot-view.js';
import type { SimWorld } from '../scenario/world.js';
import { helpText, parseLine } from './command-line.js';

export interface InteractiveIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

// After these, the tester sees the display and the selected compartment change.
const SHOW_DEPOT_AFTER = new Set([
  'depot',
  'compartment',
  'type',
  'open-door',
  'close-door',
  'take-key',
  'return-key',
  'power-cycle',
  'wait',
]);

export interface Prompt {
  /** Prints a line that arrives on its own (the cloud's event feed) without tearing the prompt on a terminal. */
  notice(line: string): void;
  /** Reads and runs lines until `quit` or the end of input. */
  run(): Promise<void>;
}

/**
 * The prompt: reads lines until `quit` or the end of input, runs each through
 * the command table on the world, and prints what changed. Lines are handled
 * one after another, so pasted or piped input runs like a scenario.
 */
export function openPrompt(world: SimWorld, io: InteractiveIo): Prompt {
  const terminal = io.output.isTTY === true;
  const rl = createInterface({ input: io.input, output: io.output, terminal });
  // Ctrl-C on a terminal ends the session cleanly (readline would only pause the input).
  rl.on('SIGINT', () => rl.close());
  const print = (line: string) => io.output.write(`${line}\n`);
  const prompt = () => {
    rl.setPrompt(`${world.selection.depot.alias}/${world.selection.compartment}> `);
    rl.prompt();
  };
  const notice = (line: string) => {
    if (!terminal) return print(line);
    io.output.write(`\r\x1b[K${line}\n`);
    rl.prompt(true);
  };
  /** Runs one line; false once the tester asked to quit. */
  const handle = async (line: string): Promise<boolean> => {
    const parsed = parseLine(line);
    if (parsed.kind === 'quit') return false;
    if (parsed.kind === 'help') for (const text of helpText(parsed.topic)) print(text);
    if (parsed.kind === 'error') print(`! ${parsed.message}`);
    if (parsed.kind !== 'call') return true;
    try {
      const said = await parsed.command.run(world, new Args(parsed.args));
      if (said !== undefined) print(said);
      if (SHOW_DEPOT_AFTER.has(parsed.command.name)) {
        // The compartment the command acted on, which need not be the selected one.
        const ref = parsed.args.get('depot');
        const depot = ref === undefined ? world.selection.depot : world.depot(String(ref));
        const compartment = Number(parsed.args.get('compartment') ?? world.selection.compartment);
        print(displayLine(depot));
        print(compartmentLine(depot, compartment, true));
      }
    } catch (error) {
      print(`! ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  };
  const run = async () => {
    prompt();
    try {
      for await (const line of rl) {
        if (!(await handle(line))) break;
        prompt();
      }
    } finally {
      rl.close();
    }
  };
  return { notice, run };
}
