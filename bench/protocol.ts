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
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  type BackendName,
  type CryptoBackend,
  createInitiation,
  decodeFrames,
  EventKind,
  encodeFrames,
  type Frame,
  FrameKind,
  generateKeyPair,
  HandshakeResponder,
  loadCryptoBackend,
  randomBytes,
  TAG_BYTES,
  TRANSPORT_HEADER_BYTES,
  type TransportSession,
} from '../shared/src/index.js';

const PLAINTEXT_BYTES = 200;
const GOAL_RATIO = 0.7;
const BACKENDS: readonly BackendName[] = ['sodium-native', 'libsodium-wrappers'];

// ---------------------------------------------------------------- options

function parseOptions(): { seconds: number; rounds: number } {
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

// ---------------------------------------------------------------- raw libraries

/** The sodium-native calls of the baseline (the package ships no types). */
interface RawSodiumNative {
  crypto_aead_chacha20poly1305_ietf_encrypt(
    c: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    nsec: null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
  crypto_aead_chacha20poly1305_ietf_decrypt(
    m: Uint8Array,
    nsec: null,
    c: Uint8Array,
    ad: Uint8Array | null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
}

/** The libsodium-wrappers calls of the baseline. */
interface RawSodiumWasm {
  readonly ready: Promise<void>;
  crypto_aead_chacha20poly1305_ietf_encrypt(
    m: Uint8Array,
    ad: Uint8Array | null,
    nsec: null,
    npub: Uint8Array,
    k: Uint8Array,
  ): Uint8Array;
  crypto_aead_chacha20poly1305_ietf_decrypt(
    nsec: null,
    c: Uint8Array,
    ad: Uint8Array | null,
    npub: Uint8Array,
    k: Uint8Array,
  ): Uint8Array;
}

/**
 * Both libraries are dependencies of @keydepot/shared, not of the workspace
 * root, so they are resolved from the shared package (the same sodium-native
 * module the backend loads). libsodium-wrappers comes in through require():
 * the CommonJS build is the same libsodium and, unlike the ESM build's named
 * imports, exposes every function on one object after `ready`.
 */
const requireFromShared = createRequire(new URL('../shared/package.json', import.meta.url));

// ---------------------------------------------------------------- timing

interface Measurement {
  /** Median of the rounds. */
  readonly opsPerSecond: number;
  readonly rounds: readonly number[];
}

/** `run(n)` performs n operations; it must throw if one goes wrong. */
type Workload = (n: number) => void;

interface Bench {
  readonly id: string;
  readonly label: string;
  readonly run: Workload;
  /** Operations between clock reads, sized from the warm-up to ~2 ms. */
  batch: number;
  readonly rounds: number[];
}

const progress = new (class {
  private readonly tty = process.stderr.isTTY === true;
  private last = 0;
  private width = 0;
  readonly startedAt = performance.now();

  /** Live status line, overwritten in place (throttled; only on a terminal). */
  update(text: string, force = false): void {
    if (!this.tty) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const line = `[${((now - this.startedAt) / 1000).toFixed(1).padStart(5)} s] ${text}`;
    process.stderr.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  /** A permanent line: on a terminal it replaces the live line. */
  log(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r${' '.repeat(this.width)}\r`);
      this.width = 0;
    }
    process.stderr.write(`${text}\n`);
  }

  clear(): void {
    if (this.tty && this.width > 0) process.stderr.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
})();

function formatRate(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US');
}

/** Runs `bench` for about `seconds`, in batches, and returns operations per second. */
function timedRound(bench: Bench, seconds: number, status: string): number {
  const budgetMs = seconds * 1000;
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  do {
    bench.run(bench.batch);
    ops += bench.batch;
    elapsed = performance.now() - start;
    progress.update(`${status}  ${formatRate(ops)} ops  ${formatRate((ops * 1000) / elapsed)}/s`);
  } while (elapsed < budgetMs);
  return (ops * 1000) / elapsed;
}

function warmUp(bench: Bench, seconds: number, status: string): void {
  bench.batch = 1;
  // Grow the batch until one takes ~2 ms, then run the rest of the warm-up at that size.
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const t0 = performance.now();
    bench.run(bench.batch);
    const took = performance.now() - t0;
    progress.update(`${status}  warm-up`);
    if (took >= 2 || bench.batch >= 1 << 20) break;
    bench.batch *= 2;
  }
  while (performance.now() < deadline) {
    bench.run(bench.batch);
    progress.update(`${status}  warm-up`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Warms every bench up, then runs the rounds interleaved: a1 b1 c1, b2 c2 a2, … (rotating who goes first). */
function measureInterleaved(
  group: string,
  benches: readonly Bench[],
  options: { seconds: number; rounds: number },
): Map<string, Measurement> {
  const warmSeconds = Math.min(0.4, Math.max(0.1, options.seconds / 2));
  for (const bench of benches) warmUp(bench, warmSeconds, `${group} · ${bench.label}`);
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < benches.length; i++) {
      const bench = benches[(round + i) % benches.length];
      const status = `${group} · ${bench.label} · round ${round + 1}/${options.rounds}`;
      bench.rounds.push(timedRound(bench, options.seconds, status));
    }
  }
  const results = new Map<string, Measurement>();
  for (const bench of benches) {
    const result = { opsPerSecond: median(bench.rounds), rounds: bench.rounds };
    results.set(bench.id, result);
    progress.log(`  ${group} · ${bench.label}: ${formatRate(result.opsPerSecond)}/s`);
  }
  return results;
}

function bench(id: string, label: string, run: Workload): Bench {
  return { id, label, run, batch: 1, rounds: [] };
}

// ---------------------------------------------------------------- workloads

function randomU32(): number {
  const b = randomBytes(4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** One complete handshake between fresh objects; returns the two transport sessions. */
function handshake(
  backend: CryptoBackend,
  depotKeys: ReturnType<typeof generateKeyPair>,
  responder: HandshakeResponder,
  relayPublicKey: Uint8Array,
  stamp: number,
): { depot: TransportSession; relay: TransportSession } {
  const pending = createInitiation({
    backend,
    staticKeys: depotKeys,
    relayPublicKey,
    localId: randomU32(),
    stamp,
  });
  const opened = responder.openInitiation(pending.datagram);
  if (!opened.ok) throw new Error(`openInitiation failed: ${opened.reason}`);
  const answered = opened.respond(randomU32(), Date.now());
  if (!answered.ok) throw new Error(`respond failed: ${answered.reason}`);
  const done = pending.consumeResponse(answered.datagram, Date.now());
  if (!done.ok) throw new Error(`consumeResponse failed: ${done.reason}`);
  return { depot: done.session, relay: answered.session };
}

/** Something the optimiser cannot prove unused. */
let sink = 0;

function sealOpenBenches(backend: CryptoBackend): Bench[] {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const responder = new HandshakeResponder(backend, relayKeys);
  const plaintext = randomBytes(PLAINTEXT_BYTES);

  // Two session pairs, so that the two API paths do not share counters.
  const a = handshake(backend, depotKeys, responder, relayKeys.publicKey, 1);
  const b = handshake(backend, depotKeys, responder, relayKeys.publicKey, 2);
  const datagram = new Uint8Array(TRANSPORT_HEADER_BYTES + PLAINTEXT_BYTES + TAG_BYTES);

  // Correctness once, before anything is timed.
  a.depot.sealInto(datagram, plaintext);
  const check = a.relay.open(datagram);
  if (!check.ok || Buffer.compare(check.plaintext, plaintext) !== 0) throw new Error('seal/open round trip failed');

  const oursInto = bench('oursSealInto', 'ours sealInto+open', (n) => {
    const { depot, relay } = a;
    for (let i = 0; i < n; i++) {
      depot.sealInto(datagram, plaintext);
      const opened = relay.open(datagram);
      if (!opened.ok) throw new Error(`open failed: ${opened.reason}`);
      sink += opened.plaintext.length;
    }
  });
  const oursSeal = bench('oursSeal', 'ours seal+open', (n) => {
    const { depot, relay } = b;
    for (let i = 0; i < n; i++) {
      const opened = relay.open(depot.seal(plaintext));
      if (!opened.ok) throw new Error(`open failed: ${opened.reason}`);
      sink += opened.plaintext.length;
    }
  });
  return [oursInto, oursSeal, rawBench(backend.name, plaintext)];
}

/** The raw library call: same plaintext, a 16-byte associated data like our header, preallocated buffers. */
function rawBench(name: BackendName, plaintext: Uint8Array): Bench {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const ad = randomBytes(TRANSPORT_HEADER_BYTES);
  if (name === 'sodium-native') {
    const na = requireFromShared('sodium-native') as RawSodiumNative;
    const ciphertext = new Uint8Array(PLAINTEXT_BYTES + TAG_BYTES);
    const decrypted = new Uint8Array(PLAINTEXT_BYTES);
    na.crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext, plaintext, ad, null, nonce, key);
    na.crypto_aead_chacha20poly1305_ietf_decrypt(decrypted, null, ciphertext, ad, nonce, key);
    if (Buffer.compare(decrypted, plaintext) !== 0) throw new Error('raw sodium-native round trip failed');
    return bench('raw', 'raw AEAD', (n) => {
      for (let i = 0; i < n; i++) {
        na.crypto_aead_chacha20poly1305_ietf_encrypt(ciphertext, plaintext, ad, null, nonce, key);
        // Throws if the tag does not verify.
        sink += na.crypto_aead_chacha20poly1305_ietf_decrypt(decrypted, null, ciphertext, ad, nonce, key);
      }
    });
  }
  const sodium = requireFromShared('libsodium-wrappers') as RawSodiumWasm;
  const c = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
  const m = sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, c, ad, nonce, key);
  if (Buffer.compare(m, plaintext) !== 0) throw new Error('raw libsodium-wrappers round trip failed');
  return bench('raw', 'raw AEAD', (n) => {
    for (let i = 0; i < n; i++) {
      const ciphertext = sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
      // Throws if the tag does not verify.
      sink += sodium.crypto_aead_chacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key).length;
    }
  });
}

function handshakeBench(backend: CryptoBackend): Bench {
  const relayKeys = generateKeyPair(backend);
  const depotKeys = generateKeyPair(backend);
  const responder = new HandshakeResponder(backend, relayKeys);
  let stamp = 0;
  return bench('handshake', 'handshake', (n) => {
    for (let i = 0; i < n; i++) {
      stamp++;
      sink += handshake(backend, depotKeys, responder, relayKeys.publicKey, stamp).depot.localId & 1;
    }
  });
}

/** A typical uplink check-in: STATUS and 10 EVENT frames. */
function uplinkBatch(): Frame[] {
  const now = Date.now();
  const compartment = (i: number) => ({ doorOpen: false, keyPresent: i % 3 !== 0, keySensor: true, locked: true });
  const frames: Frame[] = [
    {
      kind: FrameKind.Status,
      uptimeSeconds: 86_400,
      lastCommandId: 1_234,
      outboxSize: 10,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: true,
      firmwareVersion: '1.4.2',
      compartments: Array.from({ length: 12 }, (_, i) => compartment(i)),
    },
  ];
  const cycle = [
    EventKind.PinAccepted,
    EventKind.Unlocked,
    EventKind.DoorOpened,
    EventKind.KeyRemoved,
    EventKind.DoorClosed,
  ];
  for (let i = 0; i < 10; i++) {
    frames.push({
      kind: FrameKind.Event,
      epoch: '9f86d081884c7d65',
      sequence: 5_000 + i,
      timeMs: now - (10 - i) * 1_000,
      event: cycle[i % cycle.length],
      compartment: 1 + (i % 12),
      subject: `pin:${100_000 + i}`,
    });
  }
  return frames;
}

function codecBench(): { bench: Bench; frames: number; bytes: number } {
  const frames = uplinkBatch();
  const encoded = encodeFrames(frames);
  const decoded = decodeFrames(encoded);
  if (JSON.stringify(decoded) !== JSON.stringify(frames)) throw new Error('frame codec round trip differs');
  return {
    frames: frames.length,
    bytes: encoded.length,
    bench: bench('codec', 'encode+decode', (n) => {
      for (let i = 0; i < n; i++) sink += decodeFrames(encodeFrames(frames)).length;
    }),
  };
}

// ---------------------------------------------------------------- report

interface BackendResult {
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

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function printReport(
  results: readonly BackendResult[],
  codec: { measurement: Measurement; frames: number; bytes: number },
  goal: { ratio: number; sealRatio: number; pass: boolean },
  options: { seconds: number; rounds: number },
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

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions();
  const started = new Date();
  progress.log(
    `keydepot protocol benchmark: ${options.rounds} rounds × ${options.seconds} s per measurement ` +
      `(node ${process.version}, ${os.cpus().length} CPUs)`,
  );

  const results: BackendResult[] = [];
  for (const name of BACKENDS) {
    const backend = await loadCryptoBackend(name);
    if (name === 'libsodium-wrappers') await (requireFromShared('libsodium-wrappers') as RawSodiumWasm).ready;
    const sealOpen = measureInterleaved(`${name} seal+open`, sealOpenBenches(backend), options);
    const handshakes = measureInterleaved(`${name} handshake`, [handshakeBench(backend)], options);
    const get = (id: string) => {
      const m = sealOpen.get(id);
      if (m === undefined) throw new Error(`missing measurement ${id}`);
      return m;
    };
    const raw = get('raw');
    results.push({
      backend: name,
      sealOpen: {
        oursSealInto: get('oursSealInto'),
        oursSeal: get('oursSeal'),
        raw,
        ratioSealInto: get('oursSealInto').opsPerSecond / raw.opsPerSecond,
        ratioSeal: get('oursSeal').opsPerSecond / raw.opsPerSecond,
      },
      handshakes: handshakes.get('handshake') ?? { opsPerSecond: 0, rounds: [] },
    });
  }

  const codec = codecBench();
  const codecMeasurement = measureInterleaved('frame codec', [codec.bench], options).get('codec') ?? {
    opsPerSecond: 0,
    rounds: [],
  };
  progress.clear();

  const native = results.find((r) => r.backend === 'sodium-native');
  const goalRatio = native?.sealOpen.ratioSealInto ?? 0;
  const goal = { ratio: goalRatio, sealRatio: native?.sealOpen.ratioSeal ?? 0, pass: goalRatio >= GOAL_RATIO };
  printReport(results, { measurement: codecMeasurement, frames: codec.frames, bytes: codec.bytes }, goal, options);

  const resultsDir = new URL('./results/', import.meta.url);
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
    codec: { frames: codec.frames, bytes: codec.bytes, ...codecMeasurement },
    goal: {
      text: `our seal+open >= ${GOAL_RATIO * 100}% of the raw call on sodium-native`,
      measured: 'sealInto + open',
      threshold: GOAL_RATIO,
      ...goal,
    },
    sink: sink % 1000,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nResults written to bench/results/protocol.json\n`);
}

main().catch((error: unknown) => {
  progress.clear();
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
