import { parseArgs } from 'node:util';
import type { LoadOptions } from './run-load.js';

/** A wrong command line: the message says which option and what it must be. */
export class LoadUsageError extends Error {
  override name = 'LoadUsageError';
}

export const LOAD_HELP = `Usage: pnpm sim load [options]

Runs N virtual depots (the real firmware on simulated hardware, split over
depot host processes) against the relay in its own process, generates PINs,
doors, keys and commands, drains, and reports.

  --depots <n>              depots (default 100)
  --speedup <factor>        simulated time runs this many times faster (default 60)
  --duration <time>         simulated length of the load phase, e.g. 60s, 2m (default 60s);
                            it lasts duration / speed-up of wall-clock time (1 s at 60×)
                            after the fleet has booted in real time
  --ramp <time>             wall time over which the clocks go from real time to the
                            speed-up, in 20 even steps (default 10s); the load phase
                            starts after it
  --database <url>          mysql://… for MariaDB (default: a fresh SQLite file)
  --hosts <n>               depot host processes (default: one per 2,500 depots, ≤ cores)
  --boot-rate <n>           depots booted per second at most (default 500); each depot
                            host also waits while its event loop runs late
  --pickups-per-hour <n>    PIN pickups per depot per simulated hour (default 2)
  --wrong-pins-per-hour <n> wrong PINs per depot per simulated hour (default 1)
  --offline-pins            build each depot's offline-PIN table (1.7 MB, ~7,800 HMACs per depot)
  --report <file>           write the report as JSON (default load-report.json)
  --keep                    keep the work folder (logs, store) and print where it is
  -h, --help                this text
`;

export interface LoadCliOptions {
  readonly load: Omit<LoadOptions, 'onProgress'>;
  readonly reportFile: string;
  readonly help: boolean;
}

/** `60s`, `2m`, `1h`, `500ms` → ms. */
export function parseDuration(text: string, option = 'duration'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new LoadUsageError(`--${option} must be a time such as 60s, 2m or 500ms, got '${text}'`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function number(values: Record<string, unknown>, name: string, fallback: number, min: number, whole = true): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    throw new LoadUsageError(`--${name} must be ${whole ? 'a whole number' : 'a number'} ≥ ${min}, got '${raw}'`);
  }
  return value;
}

export function parseLoadArgs(argv: readonly string[]): LoadCliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        depots: { type: 'string' },
        speedup: { type: 'string' },
        duration: { type: 'string' },
        database: { type: 'string' },
        ramp: { type: 'string' },
        hosts: { type: 'string' },
        'boot-rate': { type: 'string' },
        'pickups-per-hour': { type: 'string' },
        'wrong-pins-per-hour': { type: 'string' },
        report: { type: 'string' },
        keep: { type: 'boolean' },
        'offline-pins': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new LoadUsageError((error as Error).message);
  }
  const database = values.database as string | undefined;
  if (database !== undefined && !/^(sqlite:|mysql:\/\/|mariadb:\/\/)/.test(database)) {
    throw new LoadUsageError(`--database must start with sqlite: or mysql://, got '${database}'`);
  }
  return {
    help: values.help === true,
    reportFile: (values.report as string | undefined) ?? 'load-report.json',
    load: {
      depots: number(values, 'depots', 100, 1),
      speedup: number(values, 'speedup', 60, 1, false),
      durationMs: parseDuration((values.duration as string | undefined) ?? '60s'),
      rampMs: parseDuration((values.ramp as string | undefined) ?? '10s', 'ramp'),
      databaseUrl: database,
      hosts: values.hosts === undefined ? undefined : number(values, 'hosts', 1, 1),
      bootPerSecond: number(values, 'boot-rate', 500, 1),
      pickupsPerDepotHour: number(values, 'pickups-per-hour', 2, 0, false),
      wrongPinsPerDepotHour: number(values, 'wrong-pins-per-hour', 1, 0, false),
      keepWorkDir: values.keep === true,
      offlinePins: values['offline-pins'] === true,
    },
  };
}
