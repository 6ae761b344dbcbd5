/**
 * Firmware benchmark: `pnpm bench:firmware [--append-docs]`.
 *
 *   1. PIN verdict with 10,000 stored PINs plus the offline candidate search
 *      (bench/firmware/pin-verdict.ts; goal ≤ 20 ms),
 *   2. the daemon's RSS idle and under a check-in storm, beside a bare Node
 *      process measured in the same run (bench/firmware/rss.ts; goal ≤ 80 MB).
 *
 * Progress on stderr, a table on stdout, bench/results/firmware.json, and with
 * --append-docs a new section appended to docs/benchmarks.md.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { measurePinVerdict, type PinVerdictResult } from './firmware/pin-verdict.js';
import { measureRss, type RssResult } from './firmware/rss.js';
import { progress } from './protocol/progress.js';

const ms = (value: number) => `${value.toFixed(3)} ms`;

function markdown(verdict: PinVerdictResult, rss: RssResult, started: Date): string {
  const row = (name: string, f: PinVerdictResult['all']) =>
    `| ${name} | ${ms(f.medianMs)} | ${ms(f.p99Ms)} | ${ms(f.maxMs)} |`;
  const mem = (name: string, f: RssResult['bareNode']) => `| ${name} | ${f.peakMb} MB | ${f.lastMb} MB |`;
  const verdictOk = verdict.all.p99Ms <= verdict.goalMs;
  const tsxPeak = Math.max(rss.daemonIdle.peakMb, rss.daemonStorm.peakMb);
  const jsPeak = Math.max(rss.daemonIdleJs.peakMb, rss.daemonStormJs.peakMb);
  return `
## Firmware: \`pnpm bench:firmware\`

Run ${started.toISOString()} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version},
on the shared development machine (other work was running), not on a Raspberry Pi.

**PIN verdict**: ${verdict.pins.toLocaleString('en-US')} stored PINs in a real SQLite file plus the offline
candidate search over ${verdict.offlineCandidates.toLocaleString('en-US')} candidates,
${verdict.verdictsPerKind.toLocaleString('en-US')} verdicts per kind; building the offline table once took
${verdict.tableBuildMs.toFixed(1)} ms.

| verdict | median | p99 | max |
| --- | ---: | ---: | ---: |
${row('wrong PIN', verdict.wrong)}
${row('right, stored', verdict.rightStored)}
${row('right, offline', verdict.rightOffline)}
${row('all', verdict.all)}
${row('accept commit (fsync)', verdict.acceptCommit)}

**Goal: verdict ≤ ${verdict.goalMs} ms: ${verdictOk ? 'met' : 'MISSED'}** (p99 of all verdicts ${ms(verdict.all.p99Ms)}).
The durable commit of PIN_ACCEPTED + UNLOCKED before the pulse is listed apart: it is disk-bound.

**Memory (RSS)**, each a separate child process reporting twice a second; the daemon runs the real
core, SQLite store and link over UDP to a relay in the benchmark process, on simulated hardware, under
\`node --import tsx\` as the systemd unit runs it.

| process | peak | at the end |
| --- | ---: | ---: |
${mem('bare `node`', rss.bareNode)}
${mem('bare `node --import tsx`', rss.bareNodeTsx)}
${mem('daemon under tsx, idle', rss.daemonIdle)}
${mem('daemon under tsx, check-in storm', rss.daemonStorm)}
${mem('daemon as plain JS, idle', rss.daemonIdleJs)}
${mem('daemon as plain JS, check-in storm', rss.daemonStormJs)}

Storm: a check-in every 10 ms, 20 PIN_ADD commands pushed every 50 ms, a door moving every 5 ms; the relay
saw ${rss.stormCheckIns.toLocaleString('en-US')} check-ins, ${rss.stormCommands.toLocaleString('en-US')} command results and
${rss.stormEvents.toLocaleString('en-US')} event frames.

**Goal: daemon ≤ ${rss.goalMb} MB: ${jsPeak <= rss.goalMb ? 'met' : 'MISSED'} as plain JavaScript (peak ${jsPeak} MB),
${tsxPeak <= rss.goalMb ? 'met' : 'MISSED'} under the tsx loader (peak ${tsxPeak} MB).** The tsx loader alone costs
${Math.round((rss.bareNodeTsx.peakMb - rss.bareNode.peakMb) * 10) / 10} MB (bare \`node --import tsx\` against bare \`node\`); the daemon's own share is
${Math.round((jsPeak - rss.bareNode.peakMb) * 10) / 10} MB above bare Node. "Plain JS" is the same source transpiled file by file with
TypeScript's transpileModule into a temporary folder and run by \`node\`, as a build step in the installer would ship it.
`;
}

async function main(): Promise<void> {
  const started = new Date();
  const appendDocs = process.argv.includes('--append-docs');
  progress.log(`keydepot firmware benchmark (node ${process.version}, ${os.cpus().length} CPUs)`);
  progress.update('PIN verdict: 10,000 stored PINs…', true);
  const verdict = measurePinVerdict();
  progress.log(`PIN verdict: p99 ${ms(verdict.all.p99Ms)} over all kinds (goal ≤ ${verdict.goalMs} ms)`);
  const rss = await measureRss({ onProgress: (text) => progress.update(`RSS ${text}`) });
  progress.log(
    `RSS: bare node ${rss.bareNode.peakMb} MB, bare node+tsx ${rss.bareNodeTsx.peakMb} MB, ` +
      `daemon (tsx) idle ${rss.daemonIdle.peakMb} MB, storm ${rss.daemonStorm.peakMb} MB; ` +
      `daemon (JS) idle ${rss.daemonIdleJs.peakMb} MB, storm ${rss.daemonStormJs.peakMb} MB (goal ≤ ${rss.goalMb} MB)`,
  );
  progress.clear();
  const text = markdown(verdict, rss, started);
  process.stdout.write(text);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/firmware.json', `${JSON.stringify({ started, verdict, rss }, null, 2)}\n`);
  if (appendDocs) {
    appendFileSync('docs/benchmarks.md', text);
    progress.log('appended to docs/benchmarks.md');
  }
}

main().catch((error) => {
  progress.log(`${(error as Error).stack ?? error}`);
  process.exit(1);
});
