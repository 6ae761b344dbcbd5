/**
 * Firmware benchmark: `pnpm bench:firmware [--append-docs]`.
 *
 *   1. PIN verdict with 10,000 stored PINs plus the offline candidate search
 *      (bench/firmware/pin-verdict.ts; goal ≤ 20 ms),
 *   2. the daemon's RSS idle and under a check-in storm, beside a bare Node
 *      process measured in the same run (bench/firmware/rss.ts; goal ≤ 80 MB).
 *      The daemon is measured as shipped: bundled first (scripts/build-depot.ts).
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
  const peak = Math.max(rss.daemonIdle.peakMb, rss.daemonStorm.peakMb);
  const ratio = (f: RssResult['bareNode']) => `${(f.peakMb / rss.bareNode.peakMb).toFixed(2)}×`;
  const flags = rss.nodeFlags.join(' ');
  const n = (value: number) => value.toLocaleString('en-US');
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

**Memory (RSS)** of the daemon as shipped: \`firmware/dist/keydepot-depot.mjs\` (${n(rss.bundleKb)} KiB, bundled by
\`pnpm build:depot\` in ${n(rss.buildMs)} ms at the start of this run), run by \`node ${flags}\` as the systemd unit runs it,
beside a bare \`node ${flags}\` in the same run. Each is a separate child process; RSS from \`/proc/<pid>/status\`
(VmRSS twice a second, VmHWM for the peak). Idle is the real CLI, \`run --simulated-hardware\`, over UDP to a relay
in the benchmark process; the storm is the same firmware bundled the same way (bench/firmware/storm-daemon.ts) with
a check-in every 10 ms, a door moving every 5 ms, and 20 PIN_ADD commands pushed every 50 ms.

| process | peak | at the end | peak vs bare node |
| --- | ---: | ---: | ---: |
${mem('bare `node`', rss.bareNode)} 1.00× |
${mem('daemon, idle', rss.daemonIdle)} ${ratio(rss.daemonIdle)} |
${mem('daemon, check-in storm', rss.daemonStorm)} ${ratio(rss.daemonStorm)} |

Storm: the relay saw ${n(rss.storm.checkIns)} check-ins, ${n(rss.storm.resultFrames)} command result frames for
${n(rss.storm.distinctResults)} commands (${(rss.storm.resultFrames / Math.max(1, rss.storm.distinctResults)).toFixed(2)} per command), and
${n(rss.storm.eventFrames)} event frames for ${n(rss.storm.distinctEvents)} events
(${(rss.storm.eventFrames / Math.max(1, rss.storm.distinctEvents)).toFixed(2)} per event).

**Goal: daemon ≤ ${rss.goalMb} MB: ${peak <= rss.goalMb ? 'met' : 'MISSED'}** (peak ${peak} MB, ${Math.round((peak - rss.bareNode.peakMb) * 10) / 10} MB above bare Node).
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
    `RSS: bare node ${rss.bareNode.peakMb} MB, daemon bundle idle ${rss.daemonIdle.peakMb} MB, ` +
      `storm ${rss.daemonStorm.peakMb} MB (goal ≤ ${rss.goalMb} MB); storm event frames per event ` +
      `${(rss.storm.eventFrames / Math.max(1, rss.storm.distinctEvents)).toFixed(2)}`,
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
