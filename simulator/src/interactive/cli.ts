import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { followEvents } from '../demo/event-feed.js';
import { DEMO_DEPOTS } from '../demo/setup.js';
import { parseScenario } from '../scenario/scenario-file.js';
import { type DepotSpec, startWorld } from '../scenario/world.js';
import { type InteractiveIo, openPrompt } from './session.js';

/** The demo's depots under short names, when no scenario file brings its own. */
const DEFAULT_DEPOTS: readonly DepotSpec[] = DEMO_DEPOTS.map((depot, index) => ({
  ...depot,
  alias: ['hof', 'service', 'seeblick'][index] ?? `depot-${index + 1}`,
}));

/**
 * `sim interactive [--scenario <file>] [--speed <factor>]`: its own cloud and
 * depots (the demo's three, or a scenario file's), the cloud's event feed,
 * and a prompt. Simulated time runs at `speed` (default 1) and jumps with `wait`.
 */
export async function runInteractiveCli(argv: readonly string[], io: InteractiveIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { scenario: { type: 'string' }, speed: { type: 'string', default: '1' }, quiet: { type: 'boolean' } },
  });
  const speed = Number(values.speed);
  const print = (line: string) => io.output.write(`${line}\n`);
  if (!(speed > 0)) {
    print(`--speed must be a positive factor, got '${values.speed}'`);
    return 2;
  }
  const file = values.scenario;
  const scenario = file === undefined ? undefined : parseScenario(readFileSync(file, 'utf8'), basename(file));
  print('Starting the cloud (relay on a temp SQLite store) and the depots (keydepot-cloud CLI) ...');
  const world = await startWorld({
    depots: scenario?.depots ?? DEFAULT_DEPOTS,
    startWallMs: scenario?.startWallMs,
    speed,
  });
  try {
    for (const depot of world.depots) {
      print(`  ${depot.alias.padEnd(10)} depot ${depot.depotId}  ${depot.name}, ${depot.compartments} compartments`);
    }
    print(`Relay udp://127.0.0.1:${world.cloud.relay.port}; events print as the cloud stores them.`);
    print("Type 'help' for the commands, 'quit' to stop.");
    const prompt = openPrompt(world, io);
    const names = new Map(world.depots.map((d) => [d.depotId, d.alias]));
    const feed = values.quiet
      ? undefined
      : followEvents(world.cloud.store, names, (line) => prompt.notice(`cloud:${line}`));
    await prompt.run();
    await feed?.stop();
  } finally {
    await world.stop();
  }
  print('Stopped.');
  return 0;
}
