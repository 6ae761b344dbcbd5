/** Command-line options of the command-latency bench. */
import { parseArgs } from 'node:util';

export interface LatencyBenchOptions {
  readonly depots: number;
  readonly commands: number;
  readonly spreadMs: number;
  readonly engines: readonly ('sqlite' | 'mysql')[];
}

export const USAGE = `usage: pnpm bench:command-latency [--depots N] [--commands N] [--spread SECONDS] [--engine sqlite|mysql|both]
  --depots N       online depots, the real firmware on simulated hardware at the protocol's rhythm (default 1000)
  --commands N     PINs and remote opens, alternating, queued through the portal's code path (default 500)
  --spread S       seconds over which they are queued, evenly (default 60)
  --engine E       sqlite, mysql or both (default both; MariaDB from KEYDEPOT_BENCH_MYSQL_URL,
                   else mysql://root@127.0.0.1:3306/test; a scratch database is made and dropped)
`;

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

export function parseOptions(argv: readonly string[]): LatencyBenchOptions & { help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      depots: { type: 'string', default: '1000' },
      commands: { type: 'string', default: '500' },
      spread: { type: 'string', default: '60' },
      engine: { type: 'string', default: 'both' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const engine = values.engine;
  if (engine !== 'sqlite' && engine !== 'mysql' && engine !== 'both') {
    throw new RangeError(`--engine must be sqlite, mysql or both, got '${engine}'`);
  }
  return {
    help: values.help === true,
    depots: integer('depots', values.depots, 1, 50_000),
    commands: integer('commands', values.commands, 1, 100_000),
    spreadMs: integer('spread', values.spread, 0, 3_600) * 1000,
    engines: engine === 'both' ? ['sqlite', 'mysql'] : [engine],
  };
}
