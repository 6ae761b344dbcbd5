/**
 * Relay throughput: N simulated depots (real UDP sockets, 16 shared client
 * sockets) check in as fast as the relay answers, against the relay over
 * SQLite, over MariaDB, and against the ceiling (a bare UDP echo doing the same
 * handshake, open and seal work, no store), each server in its own process.
 *
 *   npx tsx bench/relay.ts [--depots 1000] [--seconds 8] [--modes echo,sqlite,mysql] [--profile DIR]
 *
 * --profile DIR writes a CPU profile of each server process into DIR.
 */
import { cpus, totalmem } from 'node:os';
import { generateKeyPair, loadCryptoBackend } from '../shared/src/index.js';
import { SimulatedDepots } from './relay/depots.js';
import { type Mode, prepareStore, serverCpuMicros, serverMetrics, startServer } from './relay/modes.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const depotCount = Number(arg('depots', '1000'));
const seconds = Number(arg('seconds', '8'));
const modes = arg('modes', 'echo,sqlite,mysql').split(',') as Mode[];
const profileDir = process.argv.includes('--profile') ? arg('profile', 'profiles') : undefined;
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
}

async function run(mode: Mode): Promise<Result> {
  const relayKeys = generateKeyPair(backend);
  const depots = new SimulatedDepots(backend, relayKeys.publicKey, depotCount, 16);
  await depots.bind();
  const store = await prepareStore(mode, mode === 'echo' ? [] : depots.depots.map((d) => d.keys.publicKey));
  const server = await startServer(mode, relayKeys, store.url, profileDir);
  try {
    await depots.handshakeAll(server.port);
    depots.start(server.port);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    depots.checkIns = 0;
    depots.rtts = [];
    depots.timeouts = 0;
    const cpuBefore = await serverCpuMicros(server.child);
    const started = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const rate = Math.round(depots.checkIns / ((performance.now() - started) / 1000));
      process.stdout.write(`\r${mode.padEnd(6)} ${s}/${seconds} s  ${rate.toLocaleString('en')} check-ins/s   `);
    }
    const elapsed = (performance.now() - started) / 1000;
    depots.stop();
    const cpuUsed = (await serverCpuMicros(server.child)) - cpuBefore;
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

const results: Result[] = [];
for (const mode of modes) results.push(await run(mode));
const ceiling = results.find((r) => r.mode === 'echo')?.perSecond;
console.log(
  `\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}`,
);
console.log(`${depotCount} depots on 16 client sockets, ${seconds} s after ${WARMUP_MS / 1000} s warm-up\n`);
console.log(
  '| server | check-ins/s | p50 ms | p99 ms | of ceiling | mean batch | retransmits | server CPU µs/check-in |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const ratio = ceiling ? `${((100 * r.perSecond) / ceiling).toFixed(1)}%` : '–';
  console.log(
    `| ${r.mode === 'echo' ? 'ceiling: bare UDP echo' : `relay + ${r.mode}`} | ${Math.round(r.perSecond).toLocaleString('en')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.mode === 'echo' ? '100%' : ratio} | ${r.meanBatch?.toFixed(1) ?? '–'} | ${r.timeouts} | ${r.cpuPerCheckIn.toFixed(1)} |`,
  );
}
process.exit(0);
