/**
 * PIN verdict benchmark (issue 4, goal ≤ 20 ms): how long the depot takes to
 * decide a typed PIN with 10,000 stored PINs in a real SQLite file plus the
 * offline candidate search, over many verdicts of wrong, right-stored and
 * right-offline PINs. `measurePinVerdict()` is called by bench/firmware.ts;
 * `npx tsx bench/firmware/pin-verdict.ts` runs it alone and prints a table.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decidePin, pinMac, type VerdictContext } from '../../firmware/src/depot/pin-verdict.js';
import { openDepotStore } from '../../firmware/src/store/depot-store.js';
import { EventKind, HOUR_MS, OfflinePinMatcher, offlinePin, PinKind } from '../../shared/src/index.js';

export interface PinVerdictOptions {
  /** Stored PINs (default 10,000). */
  readonly pins?: number;
  /** Compartments (default 6: 7,848 offline candidates). */
  readonly compartments?: number;
  /** Verdicts measured per kind (default 2,000). */
  readonly verdicts?: number;
}

export interface Figure {
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface PinVerdictResult {
  readonly pins: number;
  readonly offlineCandidates: number;
  readonly verdictsPerKind: number;
  /** Time to build the offline candidate table once (happens at the first TIME, then 8 × C × 4 HMACs an hour). */
  readonly tableBuildMs: number;
  readonly wrong: Figure;
  readonly rightStored: Figure;
  readonly rightOffline: Figure;
  /** All verdicts together. */
  readonly all: Figure;
  /** Committing PIN_ACCEPTED + UNLOCKED in one durable transaction (fsync), the step between verdict and pulse. */
  readonly acceptCommit: Figure;
  readonly goalMs: 20;
}

const PIN_KEY = new Uint8Array(32).fill(3);
const OFFLINE_KEY = new Uint8Array(32).fill(5);
const DEPOT_ID = 4711;

function figure(samples: number[]): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { medianMs: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] };
}

function digits(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String(randomInt(10));
  return text;
}

export function measurePinVerdict(options: PinVerdictOptions = {}): PinVerdictResult {
  const pinCount = options.pins ?? 10_000;
  const compartments = options.compartments ?? 6;
  const verdicts = options.verdicts ?? 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'keydepot-bench-'));
  const store = openDepotStore(join(dir, 'depot.db'));
  try {
    const now = Date.UTC(2025, 10, 28, 10, 30);
    const stored: string[] = [];
    store.transaction(() => {
      for (let id = 1; id <= pinCount; id++) {
        const pin = digits(8);
        stored.push(pin);
        store.putPin({
          id,
          kind: id % 4 === 0 ? PinKind.Permanent : PinKind.TimeWindow,
          compartment: 1 + (id % compartments),
          validFromMs: now - HOUR_MS,
          validUntilMs: now + HOUR_MS,
          schedule: [],
          mac: pinMac(PIN_KEY, pin),
        });
      }
    });
    const matcher = new OfflinePinMatcher({ offlineKey: OFFLINE_KEY, depotId: DEPOT_ID, compartments });
    const built = performance.now();
    matcher.advanceTo(Math.floor(now / HOUR_MS));
    const tableBuildMs = performance.now() - built;
    const context: VerdictContext = { store, pinMacKey: PIN_KEY, matcher, nowMs: now, timeZone: 'Europe/Berlin' };
    const hour = Math.floor(now / HOUR_MS);
    const offline = Array.from({ length: 200 }, () =>
      offlinePin(OFFLINE_KEY, DEPOT_ID, {
        compartment: 1 + randomInt(compartments),
        startHour: hour,
        durationCode: randomInt(8),
        variant: randomInt(4),
      }),
    );

    const time = (pin: string, expect: 'accepted' | 'refused') => {
      const start = process.hrtime.bigint();
      const verdict = decidePin(context, pin);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (verdict.kind !== expect && !(verdict.kind === 'refused' && verdict.reason === 'ambiguous')) {
        throw new Error(`bench: ${pin} gave ${verdict.kind}, expected ${expect}`);
      }
      return ms;
    };
    // Warm-up: JIT, SQLite page cache.
    for (let i = 0; i < 200; i++) time(stored[i], 'accepted');
    const wrong: number[] = [];
    const rightStored: number[] = [];
    const rightOffline: number[] = [];
    for (let i = 0; i < verdicts; i++) {
      // 9 digits: a wrong PIN goes through both the MAC lookup and the offline search.
      wrong.push(time(`9${digits(8)}`, 'refused'));
      rightStored.push(time(stored[randomInt(stored.length)], 'accepted'));
      rightOffline.push(time(offline[randomInt(offline.length)], 'accepted'));
    }
    const commits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint();
      store.transaction(() => {
        store.journal({ timeMs: now, event: EventKind.PinAccepted, compartment: 1, subject: 'pin:1' });
        store.journal({ timeMs: now, event: EventKind.Unlocked, compartment: 1, subject: 'pin:1' });
      });
      commits.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return {
      pins: store.pinCount(),
      offlineCandidates: matcher.size,
      verdictsPerKind: verdicts,
      tableBuildMs,
      wrong: figure(wrong),
      rightStored: figure(rightStored),
      rightOffline: figure(rightOffline),
      all: figure([...wrong, ...rightStored, ...rightOffline]),
      acceptCommit: figure(commits),
      goalMs: 20,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printResult(result: PinVerdictResult): void {
  const ms = (value: number) => `${value.toFixed(3)} ms`.padStart(11);
  console.log(
    `PIN verdict: ${result.pins} stored PINs, ${result.offlineCandidates} offline candidates, ` +
      `${result.verdictsPerKind} verdicts per kind (node ${process.version})`,
  );
  console.log(`offline table build: ${result.tableBuildMs.toFixed(1)} ms`);
  console.log(`${'kind'.padEnd(14)}${'median'.padStart(11)}${'p99'.padStart(11)}${'max'.padStart(11)}`);
  for (const [name, f] of [
    ['wrong', result.wrong],
    ['right stored', result.rightStored],
    ['right offline', result.rightOffline],
    ['all', result.all],
    ['accept commit', result.acceptCommit],
  ] as const) {
    console.log(`${name.padEnd(14)}${ms(f.medianMs)}${ms(f.p99Ms)}${ms(f.maxMs)}`);
  }
  console.log('(verdicts: MAC + one SQLite index lookup + one Map lookup; accept commit: WAL, synchronous=FULL)');
  const ok = result.all.p99Ms <= result.goalMs;
  console.log(`goal p99 ≤ ${result.goalMs} ms: ${ok ? 'met' : 'MISSED'}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResult(measurePinVerdict());
}
