/**
 * One engine's run of the command-latency bench: a fleet of depots (the real
 * firmware on simulated hardware, in depot host processes, checking in at the
 * protocol's rhythm in real time) against the relay in its own process
 * (`serve`, as in production), commands queued through the portal's code path
 * and spread over a window, and the time from each queue call returning to its
 * COMMAND_APPLIED stored in the cloud.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../cloud/src/config.js';
import { loadDataSealer } from '../../cloud/src/keys/data-key.js';
import { openDatabase } from '../../cloud/src/store/database.js';
import { migrateToLatest } from '../../cloud/src/store/migrate.js';
import { createScratchMysqlDatabase } from '../../cloud/src/store/relay/scratch-database.js';
import { createUser } from '../../cloud/src/store/users.js';
import { HostPool } from '../../simulator/src/load/host-pool.js';
import { LatencyHistogram } from '../../simulator/src/load/latency.js';
import { provisionFleet } from '../../simulator/src/load/provision.js';
import { RelayChild } from '../../simulator/src/load/relay-child.js';
import { everyDepotOnline } from '../../simulator/src/load/run-load.js';
import { type CommandKindName, type QueuedCommand, queueAsPortal } from './portal-commands.js';
import { type CommandTiming, settledCommands } from './settled.js';

export interface LatencyRunOptions {
  readonly engine: 'sqlite' | 'mysql';
  /** Base URL of the MariaDB server (a scratch database is made there and dropped). */
  readonly mysqlUrl?: string;
  readonly depots: number;
  readonly commands: number;
  /** Wall-clock ms over which the commands are queued, evenly (default one minute). */
  readonly spreadMs: number;
  /** Longest wait for every command to settle after the last was queued (default 120 s). */
  readonly settleTimeoutMs?: number;
  readonly compartments?: number;
  readonly onProgress?: (text: string) => void;
}

export interface LatencyRunResult {
  readonly engine: 'sqlite' | 'mysql';
  readonly depots: number;
  readonly queued: number;
  /** Commands by final state (applied, expired, refused, …; queued or sent when the wait ran out). */
  readonly states: Readonly<Record<string, number>>;
  /** One per applied command: queue call returned → sent by the relay → COMMAND_APPLIED stored. */
  readonly timings: readonly CommandTiming[];
  /** The fleet's own exchanges in the same window (check-ins, keepalives, the commands' results): the baseline. */
  readonly fleetRoundTrip: { readonly count: number; readonly p50: number | null; readonly p99: number | null };
  /** Depot → relay telegrams per second in the window: the background the commands met. */
  readonly fleetTelegramsPerSecond: number;
  readonly retransmissions: number;
  readonly loadAverage: number;
  readonly bootMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLatency(options: LatencyRunOptions): Promise<LatencyRunResult> {
  const say = options.onProgress ?? (() => {});
  const compartments = options.compartments ?? 6;
  const workDir = mkdtempSync(join(tmpdir(), 'keydepot-bench-latency-'));
  const cloudDir = join(workDir, 'cloud');
  mkdirSync(cloudDir, { mode: 0o700 });
  const scratch =
    options.engine === 'mysql'
      ? await createScratchMysqlDatabase(options.mysqlUrl ?? 'mysql://root@127.0.0.1:3306/test', 'kd_bench_latency')
      : null;
  const config = loadConfig({
    KEYDEPOT_DATA_DIR: cloudDir,
    KEYDEPOT_DATABASE_URL: scratch?.url ?? `sqlite:${join(cloudDir, 'keydepot.sqlite')}`,
    KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
  });
  const sealer = await loadDataSealer(config.dataKeyFile);
  const store = openDatabase(config.databaseUrl, { sealer });
  let relay: RelayChild | undefined;
  let hosts: HostPool | undefined;
  try {
    await migrateToLatest(store);
    say(`${options.engine}: provisioning ${options.depots} depots`);
    const bundles = await provisionFleet({ store, config, depots: options.depots, compartments });
    const { organisation_id: organisationId } = await store.db
      .selectFrom('depots')
      .select('organisation_id')
      .where('id', '=', bundles[0].depotId)
      .executeTakeFirstOrThrow();
    const user = await createUser(store.db, { username: 'latency-bench', password: null, nowMs: Date.now() });
    relay = await RelayChild.start({
      databaseUrl: config.databaseUrl,
      relayKeyFile: config.relayKeyFile,
      dataKeyFile: config.dataKeyFile,
      workDir,
      speedup: 1,
    });
    const booting = performance.now();
    hosts = HostPool.start(Math.max(1, Math.ceil(options.depots / 2_500)), bundles, {
      relay: { host: '127.0.0.1', port: relay.udpPort },
      wrongPinsPerHour: 0,
      offlinePins: false,
      bootPerSecond: 500,
      workDir,
      depotsDir: join(workDir, 'depots'),
    });
    await hosts.started();
    await everyDepotOnline(hosts, bundles.length, 90_000);
    const bootMs = performance.now() - booting;
    say(`${options.engine}: ${options.depots} depots online after ${(bootMs / 1000).toFixed(1)} s; queueing`);

    const loadAverage = loadavg()[0];
    const atStart = await hosts.freshStats();
    const windowStart = performance.now();
    const targets = spreadTargets(
      bundles.map((b) => b.depotId),
      options.commands,
    );
    const pending: Promise<QueuedCommand>[] = [];
    const pool = relay;
    for (const [i, target] of targets.entries()) {
      await sleep(windowStart + (i * options.spreadMs) / options.commands - performance.now());
      // Each call on its own, as concurrent portal requests: a slow one does not hold the next back.
      pending.push(
        queueAsPortal(store, sealer, { userId: user.id, organisationId }, { ...target, compartments }, () =>
          pool.poke(),
        ),
      );
      if (i % 50 === 0) say(`${options.engine}: queued ${i + 1} of ${options.commands}`);
    }
    const queued = await Promise.all(pending);
    const settled = await settledCommands(store, queued, options.settleTimeoutMs ?? 120_000, (n) =>
      say(`${options.engine}: ${n} of ${queued.length} commands settled`),
    );
    const atEnd = await hosts.freshStats();
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const roundTrips = new LatencyHistogram(atEnd.roundTrips.counts);
    roundTrips.add({ counts: atStart.roundTrips.counts.map((c) => -c) });
    return {
      engine: options.engine,
      depots: options.depots,
      queued: queued.length,
      states: settled.states,
      timings: settled.timings,
      fleetRoundTrip: { count: roundTrips.total, p50: roundTrips.percentile(0.5), p99: roundTrips.percentile(0.99) },
      fleetTelegramsPerSecond: (atEnd.telegramsSent - atStart.telegramsSent) / windowSeconds,
      retransmissions: atEnd.retransmissions - atStart.retransmissions,
      loadAverage,
      bootMs,
    };
  } finally {
    await hosts?.kill();
    await relay?.stop();
    await store.close();
    await scratch?.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The depot and kind of each command: PINs and remote opens alternating, on
 * depots in a shuffled order so that each depot gets one command before any
 * gets a second (a depot applies its commands one after another).
 */
export function spreadTargets(
  depotIds: readonly number[],
  commands: number,
  random: () => number = Math.random,
): { depotId: number; kind: CommandKindName }[] {
  const order = [...depotIds];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: commands }, (_, i) => ({
    depotId: order[i % order.length],
    kind: i % 2 === 0 ? 'pin' : 'open',
  }));
}
