/**
 * The relay's uplink batch store alone (`storeUplinks`), without sockets or
 * crypto: CPU per check-in in this process and in the local database server.
 * The end-to-end bench (bench/relay.ts) shares two cores between depots,
 * relay and database and swings by a third within minutes; this one changes a
 * few per cent between runs, so a change to the batch SQL can be judged here.
 *
 *   npx tsx bench/relay-store.ts [--engines sqlite,mysql] [--batch 184] [--batches 400] [--rounds 3]
 *
 * Load: 1000 depots, each batch `--batch` check-ins of distinct random depots,
 * each a STATUS on the depot's session with its next counter (the steady
 * check-in of bench/relay.ts); the simulated clock moves 10 ms per batch, so
 * last seen and unchanged STATUS rows are rewritten once a second, as there
 * (and last applied commands, unchanged, are not rewritten);
 * each answer spends a send counter, and a session out of them reserves the
 * next block of 64 in the batch, as the relay does.
 */
import { cpus } from 'node:os';
import { openDatabase } from '../cloud/src/store/database.js';
import { LastSeenWrites } from '../cloud/src/store/relay/presence.js';
import { relayDb } from '../cloud/src/store/relay/relay-schema.js';
import { LastAppliedWrites, storeUplinks, type Uplink } from '../cloud/src/store/relay/uplinks.js';
import { CHECK_IN_STATUS } from './relay/depots.js';
import { databaseCpuMicros, median, prepareStore } from './relay/modes.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const engines = arg('engines', 'sqlite,mysql').split(',') as ('sqlite' | 'mysql')[];
const batchSize = Number(arg('batch', '184'));
const batches = Number(arg('batches', '400'));
const rounds = Number(arg('rounds', '3'));
const DEPOTS = 1000;
/** The relay's default send-counter block. */
const COUNTER_BLOCK = 64;

interface Result {
  cpu: number;
  db: number | null;
  wallPerBatchMs: number;
}

async function run(engine: 'sqlite' | 'mysql'): Promise<Result> {
  const keys = Array.from({ length: DEPOTS }, (_, i) => {
    const key = new Uint8Array(32);
    new DataView(key.buffer).setUint32(0, i + 1);
    return key;
  });
  const prepared = await prepareStore(engine, keys);
  const store = openDatabase(prepared.url, { mysqlPoolSize: 4 });
  try {
    const db = relayDb(store);
    const depots = await db.selectFrom('depots').select('id').orderBy('id').execute();
    const sessions = depots.map((d, i) => ({ depotId: d.id, sessionId: 1000 + i, counter: 0, countersLeft: 0 }));
    for (let i = 0; i < sessions.length; i += 500) {
      await db
        .insertInto('depot_sessions')
        .values(
          sessions.slice(i, i + 500).map((s) => ({
            session_id: s.sessionId,
            depot_id: s.depotId,
            // Never opened here: these rows are not handshakes, so there are no keys to seal.
            keys_sealed: new Uint8Array(0),
            remote_id: s.sessionId,
            created_at_ms: 0,
            stamp: 1,
          })),
        )
        .execute();
    }
    const lastSeen = new LastSeenWrites(1_000);
    const lastApplied = new LastAppliedWrites();
    let nowMs = 1_700_000_000_000;
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const oneBatch = async () => {
      nowMs += 10;
      const picked = new Set<number>();
      while (picked.size < Math.min(batchSize, DEPOTS)) picked.add(Math.floor(random() * DEPOTS));
      const uplinks: Uplink[] = [...picked].map((i) => {
        const s = sessions[i];
        s.counter += 1;
        return {
          depotId: s.depotId,
          sessionId: s.sessionId,
          sessionStamp: 1,
          counter: s.counter,
          endpoint: `127.0.0.1:${40_000 + (i % 16)}`,
          confirms: s.counter === 1,
          events: [],
          status: CHECK_IN_STATUS,
          results: [],
        };
      });
      // Each reply spends a send counter; a session out of them reserves the next block in the batch, as the relay does.
      const reserving = [...picked].filter((i) => sessions[i].countersLeft < 1);
      const stored = await storeUplinks(store, uplinks, nowMs, {
        lastSeen,
        lastApplied,
        inTransaction: () => ({
          markSent: new Map(),
          reserve: reserving.map((i) => ({ sessionId: sessions[i].sessionId, count: COUNTER_BLOCK })),
        }),
      });
      reserving.forEach((i, k) => {
        if (stored.blocks[k]) sessions[i].countersLeft = COUNTER_BLOCK;
      });
      for (const i of picked) sessions[i].countersLeft -= 1;
    };
    for (let i = 0; i < 50; i++) await oneBatch(); // warm-up: JIT, caches, first writes
    const dbBefore = engine === 'mysql' ? databaseCpuMicros() : null;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < batches; i++) await oneBatch();
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const dbAfter = dbBefore === null ? null : databaseCpuMicros();
    const checkIns = batches * batchSize;
    return {
      cpu: (cpu.user + cpu.system) / checkIns,
      db: dbBefore === null || dbAfter === null ? null : (dbAfter - dbBefore) / checkIns,
      wallPerBatchMs: wall / batches,
    };
  } finally {
    await store.close();
    await prepared.dispose();
  }
}

const results = new Map<string, Result[]>();
for (let round = 1; round <= rounds; round++) {
  for (const engine of engines) {
    process.stdout.write(`round ${round}/${rounds}: ${engine}\n`);
    results.set(engine, [...(results.get(engine) ?? []), await run(engine)]);
  }
}
console.log(
  `\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpus()[0]?.model} · Node ${process.version}`,
);
console.log(
  `${DEPOTS} depots, ${batches} batches of ${batchSize} check-ins after 50 warm-up batches, ${rounds} round(s), medians\n`,
);
console.log(
  '| engine | relay CPU µs/check-in | database CPU µs/check-in | wall ms/batch | each run (relay + database µs) |',
);
console.log('| --- | ---: | ---: | ---: | --- |');
for (const [engine, runs] of results) {
  const db = runs.map((r) => r.db).filter((x): x is number => x !== null);
  const each = runs.map((r) => (r.cpu + (r.db ?? 0)).toFixed(1)).join(' / ');
  console.log(
    `| ${engine} | ${median(runs.map((r) => r.cpu)).toFixed(1)} | ${db.length > 0 ? median(db).toFixed(1) : '–'} | ${median(runs.map((r) => r.wallPerBatchMs)).toFixed(2)} | ${each} |`,
  );
}
process.exit(0);
