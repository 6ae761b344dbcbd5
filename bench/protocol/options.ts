/** Command-line options of the protocol benchmark. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Length of one timed round. */
  readonly seconds: number;
  /** Timed rounds per measurement; the median is reported. */
  readonly rounds: number;
}

export function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '0.8' },
      rounds: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: tsx bench/protocol.ts [--seconds N] [--rounds N]\n' +
        '  --seconds N  length of one timed round (default 0.8; the default run takes ~40 s)\n' +
        '  --rounds N   timed rounds per measurement, the median is reported (default 5)\n',
    );
    process.exit(0);
  }
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) {
    throw new RangeError(`--seconds must be a number in (0, 60], got '${values.seconds}'`);
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    throw new RangeError(`--rounds must be an integer in [1, 50], got '${values.rounds}'`);
  }
  return { seconds, rounds };
}
