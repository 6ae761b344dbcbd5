/** The benchmark's results: a table on stdout and bench/results/protocol.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { type BackendName, TAG_BYTES, TRANSPORT_HEADER_BYTES } from '../../shared/src/index.js';
import { type Measurement, sink } from './harness.js';
import type { BenchOptions } from './options.js';
import { formatRate } from './progress.js';
import { PLAINTEXT_BYTES } from './seal-open.js';

/** Our seal+open should reach this share of the raw library call on sodium-native. */
export const GOAL_RATIO = 0.7;

export interface BackendResult {
  readonly backend: BackendName;
  readonly sealOpen: {
    readonly oursSealInto: Measurement;
    readonly oursSeal: Measurement;
    readonly raw: Measurement;
    /** ours / raw. */
    readonly ratioSealInto: number;
    readonly ratioSeal: number;
  };
  readonly handshakes: Measurement;
}

export interface CodecResult {
  readonly measurement: Measurement;
  readonly frames: number;
  readonly bytes: number;
}

export interface Goal {
  /** sealInto + open against raw, on sodium-native. */
  readonly ratio: number;
  /** Allocating seal + open against raw, on sodium-native. */
  readonly sealRatio: number;
  readonly pass: boolean;
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function printReport(
  results: readonly BackendResult[],
  codec: CodecResult,
  goal: Goal,
  options: BenchOptions,
): void {
  const header = ['backend', 'our API path', 'ours ops/s', 'raw ops/s', 'ours/raw'];
  const rows: string[][] = [];
  for (const r of results) {
    const raw = formatRate(r.sealOpen.raw.opsPerSecond);
    rows.push([
      r.backend,
      'sealInto + open',
      formatRate(r.sealOpen.oursSealInto.opsPerSecond),
      raw,
      pct(r.sealOpen.ratioSealInto),
    ]);
    rows.push([r.backend, 'seal + open', formatRate(r.sealOpen.oursSeal.opsPerSecond), raw, pct(r.sealOpen.ratioSeal)]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ');
  const out: string[] = [];
  out.push('');
  out.push(
    `Seal+open of a ${PLAINTEXT_BYTES}-byte plaintext (${TRANSPORT_HEADER_BYTES + PLAINTEXT_BYTES + TAG_BYTES}-byte telegram), ` +
      `median of ${options.rounds} rounds × ${options.seconds} s`,
  );
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('   '));
  for (const row of rows) out.push(line(row));
  out.push('');
  out.push('Handshakes (initiation + open + response + consume, both sides on the same backend):');
  for (const r of results)
    out.push(`  ${r.backend.padEnd(20)} ${formatRate(r.handshakes.opsPerSecond).padStart(10)}/s`);
  out.push(
    `Frame codec, uplink batch of ${codec.frames} frames (STATUS + 10 EVENT, ${codec.bytes} B), encode+decode: ` +
      `${formatRate(codec.measurement.opsPerSecond)} batches/s`,
  );
  out.push('');
  out.push(
    `Goal: our seal+open ≥${GOAL_RATIO * 100}% of the raw call on sodium-native: ${goal.pass ? 'PASS' : 'FAIL'} ` +
      `(sealInto + open ${pct(goal.ratio)}; allocating seal + open ${pct(goal.sealRatio)})`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Writes bench/results/protocol.json: the machine, the options, every round and the goal. */
export function writeResults(
  started: Date,
  options: BenchOptions,
  results: readonly BackendResult[],
  codec: CodecResult,
  goal: Goal,
): void {
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const file = new URL('protocol.json', resultsDir);
  const json = {
    benchmark: 'protocol',
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: os.loadavg(),
    },
    options: { ...options, plaintextBytes: PLAINTEXT_BYTES },
    backends: results,
    codec: { frames: codec.frames, bytes: codec.bytes, ...codec.measurement },
    goal: {
      text: `our seal+open >= ${GOAL_RATIO * 100}% of the raw call on sodium-native`,
      measured: 'sealInto + open',
      threshold: GOAL_RATIO,
      ...goal,
    },
    sink: sink.value % 1000,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nResults written to bench/results/protocol.json\n`);
}
