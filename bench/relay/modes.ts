import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../cloud/src/store/database.js';
import { migrateToLatest } from '../../cloud/src/store/migrate.js';
import { relayDb } from '../../cloud/src/store/relay/relay-schema.js';
import { createScratchMysqlDatabase } from '../../cloud/src/store/relay/scratch-database.js';
import type { KeyPair } from '../../shared/src/index.js';
import { toHex } from '../../shared/src/index.js';

const SERVER = fileURLToPath(new URL('./server-process.ts', import.meta.url));

export type Mode = 'echo' | 'sqlite' | 'mysql';

/** A store for one run, with the simulated depots' public keys in it. */
export async function prepareStore(
  mode: Mode,
  publicKeys: Uint8Array[],
): Promise<{ url: string; dispose(): Promise<void> }> {
  let url: string;
  let dispose: () => Promise<void>;
  if (mode === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-bench-'));
    url = `sqlite:${join(dir, 'store.sqlite')}`;
    dispose = async () => rmSync(dir, { recursive: true });
  } else {
    const scratch = await createScratchMysqlDatabase(
      process.env.KEYDEPOT_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
      'kd_bench',
    );
    url = scratch.url;
    dispose = scratch.drop;
  }
  const store = openDatabase(url);
  await migrateToLatest(store);
  const db = relayDb(store);
  const org = await db
    .insertInto('organisations')
    .values({ name: 'Bench', created_at_ms: Date.now() })
    .executeTakeFirstOrThrow();
  for (let i = 0; i < publicKeys.length; i += 500) {
    await db
      .insertInto('depots')
      .values(
        publicKeys.slice(i, i + 500).map((publicKey, j) => ({
          organisation_id: Number(org.insertId),
          name: `bench ${i + j}`,
          public_key: publicKey,
          compartment_count: 6,
          // The check-in STATUS reports command 7 applied: a depot can only report a command sent to it
          // (protocol §8.10), so each depot has commands 1-7, sent and applied (the first check-in raises its last applied).
          last_command_id: 7,
          created_at_ms: Date.now(),
        })),
      )
      .execute();
  }
  const depotIds = (await db.selectFrom('depots').select('id').execute()).map((d) => d.id);
  const commands = depotIds.flatMap((depotId) =>
    Array.from({ length: 7 }, (_, k) => ({
      depot_id: depotId,
      id: k + 1,
      kind: 4,
      payload: JSON.stringify({ command: 4 }),
      state: 'applied' as const,
      created_at_ms: Date.now(),
      sent_at_ms: Date.now(),
      finished_at_ms: Date.now(),
    })),
  );
  for (let i = 0; i < commands.length; i += 1_000) {
    await db
      .insertInto('commands')
      .values(commands.slice(i, i + 1_000))
      .execute();
  }
  await store.close();
  return { url, dispose };
}

/**
 * The young-generation size `keydepot-cloud` runs with (its shebang and `pnpm cloud`): a
 * batch's uplinks live tens of milliseconds, longer than a scavenge interval of the default
 * 16 MB semi-space, so they were copied and promoted. The echo gets it too, so the ceiling
 * does not lose by it.
 */
const RELAY_YOUNG_GENERATION = '--max-semi-space-size=64';

/** Starts the relay (or the echo ceiling) in a child process; resolves its UDP port. */
export async function startServer(
  mode: Mode,
  relayKeys: KeyPair,
  dbUrl: string,
  profileDir?: string,
  batching: { lanes?: string; maxBatch?: string } = {},
): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(SERVER, [], {
    // --profile writes a .cpuprofile of the server (open in Chrome DevTools or speedscope).
    execArgv: [
      '--import',
      'tsx',
      RELAY_YOUNG_GENERATION,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
    env: {
      ...process.env,
      BENCH_MODE: mode === 'echo' ? 'echo' : 'relay',
      BENCH_DB_URL: dbUrl,
      BENCH_RELAY_SECRET_KEY: toHex(relayKeys.secretKey),
      BENCH_LANES: batching.lanes ?? '',
      BENCH_MAX_BATCH: batching.maxBatch ?? '',
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve((JSON.parse(buffered.split('\n')[0]) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  return { port, child };
}

/** The relay's own metrics text (batch sizes, errors), asked over IPC. */
export function serverMetrics(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('message', (text) => resolve(String(text)));
    child.send('metrics');
  });
}

/** CPU time (user + system, µs) the server process has used so far. */
export function serverCpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (text) => resolve(Number(text)));
    child.send('cpu');
  });
}

/** CPU time (µs, user + system) of the local MariaDB/MySQL server, or null when it is not on this host. */
export function databaseCpuMicros(): number | null {
  try {
    const pid = execFileSync('pgrep', ['-xo', 'mariadbd|mysqld'], { encoding: 'utf8' }).trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / 100 : null;
  } catch {
    return null;
  }
}

/** The median (the mean of the middle two for an even count). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
