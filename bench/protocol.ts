/**
 * Protocol benchmark: `pnpm bench:protocol [--seconds N] [--rounds N]`.
 *
 * For each crypto backend it measures, in one process and alternating so that
 * both see the same machine state:
 *   - seal+open of a 200-byte transport telegram through our TransportSession
 *     (sealInto into a preallocated buffer, and seal() allocating one), and
 *   - the raw library AEAD call on the same 200 bytes (the ceiling);
 * then handshakes per second and the frame codec on a typical uplink batch.
 * Each figure is the median of several timed rounds after a warm-up.
 * Results: a table on stdout and bench/results/protocol.json.
 */
import os from 'node:os';
import { type BackendName, loadCryptoBackend } from '../shared/src/index.js';
import { codecBench } from './protocol/codec.js';
import { handshakeBench } from './protocol/handshakes.js';
import { measureInterleaved } from './protocol/harness.js';
import { type BenchOptions, parseOptions } from './protocol/options.js';
import { progress } from './protocol/progress.js';
import { rawLibraryReady } from './protocol/raw-aead.js';
import { type BackendResult, GOAL_RATIO, printReport, writeResults } from './protocol/report.js';
import { sealOpenBenches } from './protocol/seal-open.js';

const BACKENDS: readonly BackendName[] = ['sodium-native', 'libsodium-wrappers'];

async function measureBackend(name: BackendName, options: BenchOptions): Promise<BackendResult> {
  const backend = await loadCryptoBackend(name);
  await rawLibraryReady(name);
  const sealOpen = measureInterleaved(`${name} seal+open`, sealOpenBenches(backend), options);
  const handshakes = measureInterleaved(`${name} handshake`, [handshakeBench(backend)], options);
  const get = (id: string) => {
    const m = sealOpen.get(id);
    if (m === undefined) throw new Error(`missing measurement ${id}`);
    return m;
  };
  const raw = get('raw');
  return {
    backend: name,
    sealOpen: {
      oursSealInto: get('oursSealInto'),
      oursSeal: get('oursSeal'),
      raw,
      ratioSealInto: get('oursSealInto').opsPerSecond / raw.opsPerSecond,
      ratioSeal: get('oursSeal').opsPerSecond / raw.opsPerSecond,
    },
    handshakes: handshakes.get('handshake') ?? { opsPerSecond: 0, rounds: [] },
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = new Date();
  progress.log(
    `keydepot protocol benchmark: ${options.rounds} rounds × ${options.seconds} s per measurement ` +
      `(node ${process.version}, ${os.cpus().length} CPUs)`,
  );

  const results: BackendResult[] = [];
  for (const name of BACKENDS) results.push(await measureBackend(name, options));

  const codec = codecBench();
  const codecMeasurement = measureInterleaved('frame codec', [codec.bench], options).get('codec') ?? {
    opsPerSecond: 0,
    rounds: [],
  };
  progress.clear();

  const native = results.find((r) => r.backend === 'sodium-native');
  const goalRatio = native?.sealOpen.ratioSealInto ?? 0;
  const goal = { ratio: goalRatio, sealRatio: native?.sealOpen.ratioSeal ?? 0, pass: goalRatio >= GOAL_RATIO };
  const codecResult = { measurement: codecMeasurement, frames: codec.frames, bytes: codec.bytes };
  printReport(results, codecResult, goal, options);
  writeResults(started, options, results, codecResult, goal);
}

main().catch((error: unknown) => {
  progress.clear();
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
