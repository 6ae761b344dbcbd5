/** Command-line options of the portal benchmark. */
import { parseArgs } from 'node:util';
import type { Dialect } from '../../cloud/src/store/database.js';

export interface PortalBenchOptions {
  readonly depots: number;
  readonly movements: number;
  /** Customers and invoices of the operator's organisation (search and invoice list pages). */
  readonly customers: number;
  readonly invoices: number;
  readonly dialects: readonly Dialect[];
  /** Timed requests per route (one in flight, routes interleaved). */
  readonly requests: number;
  /** Untimed requests per route first (statement caches, buffer pool, JIT). */
  readonly warmup: number;
  /** Seed of the generated data: the same seed gives the same depots and movements. */
  readonly seed: number;
}

const USAGE = `usage: tsx bench/portal.ts [--depots N] [--movements N] [--customers N] [--invoices N] [--dialect sqlite|mysql|both] [--requests N] [--warmup N] [--seed N]
  --depots N     depots of the facility operator (default 1000, the issue's size)
  --movements N  events over the last 90 days (default 1000000)
  --customers N  customers of the operator's organisation (default 100000)
  --invoices N   their invoices (default 500000)
  --dialect D    sqlite, mysql or both (default both; MariaDB from KEYDEPOT_BENCH_MYSQL_URL,
                 else mysql://root@127.0.0.1:3306/test; a scratch database is made and dropped)
  --requests N   timed requests per route (default 200)
  --warmup N     untimed requests per route first (default 20)
  --seed N       seed of the generated data (default 6)
`;

export function parseOptions(argv: readonly string[] = process.argv.slice(2)): PortalBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      depots: { type: 'string', default: '1000' },
      movements: { type: 'string', default: '1000000' },
      customers: { type: 'string', default: '100000' },
      invoices: { type: 'string', default: '500000' },
      dialect: { type: 'string', default: 'both' },
      requests: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      seed: { type: 'string', default: '6' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const dialect = values.dialect;
  if (dialect !== 'sqlite' && dialect !== 'mysql' && dialect !== 'both') {
    throw new RangeError(`--dialect must be sqlite, mysql or both, got '${dialect}'`);
  }
  return {
    depots: integer('depots', values.depots, 5, 100_000),
    movements: integer('movements', values.movements, 0, 100_000_000),
    customers: integer('customers', values.customers, 1, 10_000_000),
    invoices: integer('invoices', values.invoices, 0, 50_000_000),
    dialects: dialect === 'both' ? ['sqlite', 'mysql'] : [dialect],
    requests: integer('requests', values.requests, 1, 100_000),
    warmup: integer('warmup', values.warmup, 0, 10_000),
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
  };
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`--${name} must be an integer in [${min}, ${max}], got '${text}'`);
  }
  return n;
}
