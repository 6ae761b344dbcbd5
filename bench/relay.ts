/**
 * Relay throughput: N simulated depots (real UDP sockets, 16 shared client
 * sockets) check in as fast as the relay answers, against the relay over
 * SQLite, over MariaDB, and against the ceiling (a bare UDP echo doing the same
 * handshake, open and seal work, no store), each server in its own process.
 *
 *   npx tsx bench/relay.ts [--depots 1000] [--seconds 6] [--rounds 3] [--modes echo,sqlite,mysql] [--profile DIR]
 *                          [--lanes N] [--max-batch N]
 *
 * Every relay run sits between two echo runs (echo, sqlite, echo, mysql,
 * echo, … for --rounds rounds); its share of the ceiling is taken against
 * the mean of those two, and the report gives the median over the rounds:
 * this host's speed drifts by a third within minutes, so an echo measured a
 * minute away from the relay says little about the relay's share.
 * --profile DIR writes a CPU profile of each server process into DIR.
 * --lanes and --max-batch override the relay's batches in flight and uplinks per batch.
 */

import { cpus, totalmem } from 'node:os';
import { generateKeyPair, loadCryptoBackend } from '../shared/src/index.js';
import { SimulatedDepots } from './relay/depots.js';
import {
  databaseCpuMicros,
  type Mode,
  median,
  prepareStore,
  serverCpuMicros,
  serverMetrics,
  startServer,
} from './relay/modes.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const depotCount = Number(arg('depots', '1000'));
const seconds = Number(arg('seconds', '6'));
const rounds = Number(arg('rounds', '3'));
const modes = arg('modes', 'echo,sqlite,mysql').split(',') as Mode[];
const profileDir = process.argv.includes('--profile') ? arg('profile', 'profiles') : undefined;
const batching = { lanes: arg('lanes', ''), maxBatch: arg('max-batch', '') };
const WARMUP_MS = 2_000;

const backend = await loadCryptoBackend('sodium-native');
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

interface Result {
  mode: Mode;
  perSecond: number;
  p50: number;
  p99: number;
  timeouts: number;
  meanBatch: number | null;
  /** Server CPU time per check-in (µs, user + system). */
  cpuPerCheckIn: number;
  /** The local database server's CPU time per check-in (µs), when its process can be read. */
  dbCpuPerCheckIn: number | null;
  /** CPU time per check-in (µs) of this process, the simulated depots: the load generator shares the cores. */
  clientCpuPerCheckIn: number;
}

async function run(mode: Mode): Promise<Result> {
  const relayKeys = generateKeyPair(backend);
  const depots = new SimulatedDepots(backend, relayKeys.publicKey, depotCount, 16);
  await depots.bind();
  const store = await prepareStore(mode, mode === 'echo' ? [] : depots.depots.map((d) => d.keys.publicKey));
  const server = await startServer(mode, relayKeys, store.url, profileDir, batching);
  try {
    await depots.handshakeAll(server.port);
    depots.start(server.port);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    depots.checkIns = 0;
    depots.rtts = [];
    depots.timeouts = 0;
    const cpuBefore = await serverCpuMicros(server.child);
    const dbBefore = mode === 'mysql' ? databaseCpuMicros() : null;
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const rate = Math.round(depots.checkIns / ((performance.now() - started) / 1000));
      process.stdout.write(`\r${mode.padEnd(6)} ${s}/${seconds} s  ${rate.toLocaleString('en')} check-ins/s   `);
    }
    const elapsed = (performance.now() - started) / 1000;
    depots.stop();
    const client = process.cpuUsage(clientBefore);
    const cpuUsed = (await serverCpuMicros(server.child)) - cpuBefore;
    const dbAfter = dbBefore === null ? null : databaseCpuMicros();
    const checkIns = depots.checkIns;
    const sorted = depots.rtts.sort((a, b) => a - b);
    let meanBatch: number | null = null;
    if (mode !== 'echo') {
      const text = await serverMetrics(server.child);
      const sum = Number(/keydepot_relay_batch_uplinks_sum (\S+)/.exec(text)?.[1] ?? 0);
      const count = Number(/keydepot_relay_batch_uplinks_count (\S+)/.exec(text)?.[1] ?? 0);
      meanBatch = count > 0 ? sum / count : null;
    }
    process.stdout.write('\n');
    return {
      mode,
      perSecond: checkIns / elapsed,
      cpuPerCheckIn: cpuUsed / checkIns,
      clientCpuPerCheckIn: (client.user + client.system) / checkIns,
      dbCpuPerCheckIn: dbBefore === null || dbAfter === null ? null : (dbAfter - dbBefore) / checkIns,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      timeouts: depots.timeouts,
      meanBatch,
    };
  } finally {
    // Wait for the exit so that a profile is written and the next server has the cores to itself.
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
    depots.close();
    await store.dispose();
  }
}

// Every relay run sits between two echo runs; its ceiling is their mean.
const relayModes = modes.filter((m) => m !== 'echo');
const withEcho = modes.includes('echo');
const sequence: Mode[] = [];
for (let round = 0; round < rounds; round++) {
  if (relayModes.length === 0) sequence.push('echo');
  for (const mode of relayModes) sequence.push(...(withEcho ? (['echo', mode] as Mode[]) : [mode]));
}
if (withEcho && relayModes.length > 0) sequence.push('echo');
const ran: Result[] = [];
for (const [i, mode] of sequence.entries()) {
  process.stdout.write(`run ${i + 1}/${sequence.length}: ${mode}\n`);
  ran.push(await run(mode));
}
/** A relay run's share of the mean of the echo runs just before and just after it. */
const shareAt = (i: number): number | null => {
  const before = ran[i - 1];
  const after = ran[i + 1];
  if (before?.mode !== 'echo' || after?.mode !== 'echo') return null;
  return (ran[i] as Result).perSecond / ((before.perSecond + after.perSecond) / 2);
};
console.log(
  `\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}`,
);
console.log(
  `${depotCount} depots on 16 client sockets, ${seconds} s after ${WARMUP_MS / 1000} s warm-up, ${rounds} round(s), each relay run between two echo runs (its ceiling: their mean); medians\n`,
);
console.log(
  '| server | check-ins/s | p50 ms | p99 ms | of ceiling (median) | each run | mean batch | retransmits | server CPU µs/check-in | database CPU µs/check-in | depots (load) CPU µs/check-in |',
);
console.log('| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
for (const mode of modes) {
  const runs = ran.filter((r) => r.mode === mode);
  const shares = ran.map((r, i) => (r.mode === mode ? shareAt(i) : null)).filter((x): x is number => x !== null);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const name = mode === 'echo' ? 'ceiling: bare UDP echo' : `relay + ${mode}`;
  const share = mode === 'echo' ? '100%' : shares.length > 0 ? `**${pct(median(shares))}**` : '–';
  const each =
    mode === 'echo'
      ? runs.map((r) => Math.round(r.perSecond).toLocaleString('en')).join(' / ')
      : shares.map(pct).join(' / ');
  const batches = runs.map((r) => r.meanBatch).filter((x): x is number => x !== null);
  const db = runs.map((r) => r.dbCpuPerCheckIn).filter((x): x is number => x !== null);
  console.log(
    `| ${name} | ${Math.round(median(runs.map((r) => r.perSecond))).toLocaleString('en')} | ${median(runs.map((r) => r.p50)).toFixed(2)} | ${median(runs.map((r) => r.p99)).toFixed(2)} | ${share} | ${each} | ${batches.length > 0 ? median(batches).toFixed(1) : '–'} | ${runs.reduce((n, r) => n + r.timeouts, 0)} | ${median(runs.map((r) => r.cpuPerCheckIn)).toFixed(1)} | ${db.length > 0 ? median(db).toFixed(1) : '–'} | ${median(runs.map((r) => r.clientCpuPerCheckIn)).toFixed(1)} |`,
  );
}
process.exit(0);
