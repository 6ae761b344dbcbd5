/**
 * Portal → depot command latency (issue 21): online depots (the real firmware
 * on simulated hardware) checking in at the protocol's rhythm against the
 * relay in its own process, on SQLite and on MariaDB; PINs and remote opens
 * queued through the functions the portal's routes call, spread over a
 * minute; the time from each queue call returning to its COMMAND_APPLIED
 * stored in the cloud. Goal: p99 ≤ 2 s. Baseline in the same run: the
 * fleet's own exchange round trips over the same window.
 *
 *   pnpm bench:command-latency [--depots 1000] [--commands 500] [--spread 60] [--engine sqlite|mysql|both]
 */
import { cpus, loadavg } from 'node:os';
import { parseOptions, USAGE } from './command-latency/options.js';
import { goalMet, reportMarkdown } from './command-latency/report.js';
import { type LatencyRunResult, runLatency } from './command-latency/run.js';
import { progress } from './protocol/progress.js';

const options = parseOptions(process.argv.slice(2));
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const results: LatencyRunResult[] = [];
for (const engine of options.engines) {
  results.push(
    await runLatency({
      ...options,
      engine,
      mysqlUrl: process.env.KEYDEPOT_BENCH_MYSQL_URL,
      onProgress: (text) => progress.update(text),
    }),
  );
}
progress.clear();
console.log(
  `\n${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load average now ${loadavg()[0].toFixed(1)}\n`,
);
console.log(reportMarkdown(results));
for (const r of results) console.log(`\n${r.engine}: goal p99 ≤ 2 s ${goalMet(r) ? 'met' : 'NOT met'}`);
process.exit(0);
