import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadDataSealer } from '@keydepot/cloud';
import { migrateToLatest, openDatabase } from '@keydepot/cloud/store';
import { type CloudCounts, cloudCounts } from './cloud-counts.js';
import { CommandPump } from './command-pump.js';
import { HostPool } from './host-pool.js';
import { LatencyHistogram } from './latency.js';
import { processUsage } from './process-usage.js';
import { provisionFleet } from './provision.js';
import { RelayChild } from './relay-child.js';
import type { LoadReport } from './report.js';

export interface LoadOptions {
  readonly depots: number;
  /** Simulated time runs this many times faster than real time on every depot. */
  readonly speedup: number;
  /**
   * Simulated length of the load phase (after every depot is online, before the drain): it lasts
   * durationMs / speedup of wall-clock time.
   */
  readonly durationMs: number;
  /** Depot host processes (default: one per 2,500 depots, at most one per core). */
  readonly hosts?: number;
  /** `mysql://…` for MariaDB; default a fresh SQLite file in the work folder. */
  readonly databaseUrl?: string;
  /** First handshakes per second while booting (default 500: within the relay's 1,000/s for unknown sources). */
  readonly bootPerSecond?: number;
  readonly pickupsPerDepotHour?: number;
  readonly wrongPinsPerDepotHour?: number;
  readonly compartments?: number;
  /**
   * Build each depot's offline-PIN candidate table (default false): ~7,800 HMACs and ~1.7 MB per depot,
   * a cost of the depot alone that never reaches the relay, and 17 GB for 10,000 depots.
   */
  readonly offlinePins?: boolean;
  /** Longest wait for outboxes and commands to settle after the load phase (default 120 s). */
  readonly drainTimeoutMs?: number;
  /** Keep the work folder (logs, depot folders, SQLite store) instead of deleting it. */
  readonly keepWorkDir?: boolean;
  readonly onProgress?: (sample: ProgressSample) => void;
}

export interface ProgressSample {
  readonly phase: 'provision' | 'boot' | 'load' | 'drain' | 'stop';
  readonly elapsedMs: number;
  readonly depots: number;
  readonly online: number;
  readonly telegramsPerSecond: number;
  readonly eventsStored: number;
  readonly p99Ms: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A load run: depots registered through the cloud's provisioning functions,
 * the relay (`startCloud`) in its own process, the depots (the real firmware on
 * simulated hardware) in host processes booted in real time; then every
 * depot's clock and the relay's sped up together, real actions and commands
 * for `durationMs` of simulated time, back to real time for a drain until every
 * event the depots journaled is stored and every queued command applied, and a
 * report.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'keydepot-load-'));
  // The depots' folders (keys, depot.json, status file: ~40,000 small files for 10,000 depots) go to
  // memory where Linux offers it; the cloud's store stays on disk like a real one.
  const depotsDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : workDir, 'keydepot-load-depots-'));
  const cloudDir = join(workDir, 'cloud');
  mkdirSync(cloudDir, { mode: 0o700 });
  const config = loadConfig({
    KEYDEPOT_DATA_DIR: cloudDir,
    KEYDEPOT_DATABASE_URL: options.databaseUrl ?? `sqlite:${join(cloudDir, 'keydepot.sqlite')}`,
    // Bundles name a relay host; each depot host points its depots at the relay's real port.
    KEYDEPOT_PUBLIC_RELAY_HOST: '127.0.0.1',
  });
  // The pump queues PIN_ADDs, whose digits are stored sealed with the data key the relay process opens them with.
  const store = openDatabase(config.databaseUrl, { sealer: await loadDataSealer(config.dataKeyFile) });
  const started = performance.now();
  // Other work on the machine skews every figure: the report says how busy it was.
  const loadAverage = loadavg()[0];
  const hostCount = options.hosts ?? Math.max(1, Math.min(cpus().length, Math.ceil(options.depots / 2_500)));
  let relay: RelayChild | undefined;
  let hosts: HostPool | undefined;
  let pump: CommandPump | undefined;
  let phase: ProgressSample['phase'] = 'provision';
  let progress: NodeJS.Timeout | undefined;
  try {
    await migrateToLatest(store);
    const bundles = await provisionFleet({
      store,
      config,
      depots: options.depots,
      compartments: options.compartments ?? 6,
    });
    const depotIds = bundles.map((b) => b.depotId);
    const [firstId, lastId] = [Math.min(...depotIds), Math.max(...depotIds)];
    const provisioned = performance.now();

    relay = await RelayChild.start({
      databaseUrl: config.databaseUrl,
      relayKeyFile: config.relayKeyFile,
      dataKeyFile: config.dataKeyFile,
      workDir,
      speedup: options.speedup,
    });
    phase = 'boot';
    hosts = HostPool.start(hostCount, bundles, {
      relay: { host: '127.0.0.1', port: relay.udpPort },
      wrongPinsPerHour: options.wrongPinsPerDepotHour ?? 1,
      offlinePins: options.offlinePins ?? false,
      bootPerSecond: options.bootPerSecond ?? 500,
      workDir,
      depotsDir,
    });
    progress = reportProgress(relay, hosts, options, started, () => phase);
    await hosts.started();
    // Late handshakes wait for the next check-in (protocol §10): give stragglers a few rounds.
    await everyDepotOnline(hosts, bundles.length, 90_000);
    const booted = performance.now();

    // The whole fleet and the relay at the speed-up at once (TIME tolerates a minute of skew between them).
    await relay.setSpeed(options.speedup);
    await hosts.setSpeed(options.speedup);
    phase = 'load';
    const atLoad = await hosts.freshStats();
    const relayAtLoad = relay.usage();
    const hostsAtLoad = hostsCpu(hosts);
    const loadStarted = performance.now();
    hosts.send({ type: 'activity', on: true });
    const pool = hosts;
    pump = new CommandPump({
      store,
      depotIds,
      compartments: options.compartments ?? 6,
      perDepotPerHour: options.pickupsPerDepotHour ?? 2,
      speedup: options.speedup,
      announce: (depotId, pin) => pool.sendTo(depotId, { type: 'pin', depotId, ...pin }),
    });
    pump.start();
    await sleep(options.durationMs / options.speedup);
    hosts.send({ type: 'activity', on: false });
    await pump.stop();
    const atLoadEnd = await hosts.freshStats();
    const relayAtLoadEnd = relay.usage();
    const hostsAtLoadEnd = hostsCpu(hosts);
    const loaded = performance.now();

    // Back to real time: what is still on its way settles without the sped-up rhythm's traffic on top.
    await hosts.setSpeed(1);
    await relay.setSpeed(1);
    phase = 'drain';
    const drained = await drain(hosts, store, firstId, lastId, pump.queued, options.drainTimeoutMs ?? 120_000);
    const drainedAt = performance.now();

    phase = 'stop';
    const final = await hosts.stop(10_000);
    const counts = await cloudCounts(store, firstId, lastId);
    const relayEnd = relay.usage();
    const relayDrops = await relay.metricByLabel('keydepot_relay_drops_total', 'reason');
    const relayErrors = await relay.metricByLabel('keydepot_relay_errors_total', 'where');
    const loadSeconds = (loaded - loadStarted) / 1000;
    const roundTrips = new LatencyHistogram(final.stats.roundTrips.counts);
    roundTrips.add({ counts: atLoad.roundTrips.counts.map((c) => -c) });
    const sent = final.stats.checkIns;
    return {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: {
        depots: options.depots,
        speedup: options.speedup,
        durationMs: options.durationMs,
        hosts: hostCount,
        database: store.dialect,
        pickupsPerDepotHour: options.pickupsPerDepotHour ?? 2,
        wrongPinsPerDepotHour: options.wrongPinsPerDepotHour ?? 1,
        offlinePins: options.offlinePins ?? false,
        loadAverageAtStart: loadAverage,
      },
      phases: {
        provisionMs: provisioned - started,
        bootMs: booted - provisioned,
        switchMs: loadStarted - booted,
        loadMs: loaded - loadStarted,
        drainMs: drainedAt - loaded,
      },
      depots: { started: final.stats.started, onlineAtLoadStart: atLoad.online },
      checkIns: {
        sent,
        answered: final.stats.checkInsAnswered,
        superseded: final.stats.checkInsSuperseded,
        unanswered: final.stats.checkInsUnanswered,
      },
      telegrams: {
        sent: final.stats.telegramsSent,
        received: final.stats.telegramsReceived,
        sentPerSecond: (atLoadEnd.telegramsSent - atLoad.telegramsSent) / loadSeconds,
        retransmissions: final.stats.retransmissions,
        dropsAtDepots: final.stats.drops,
        handshakes: final.stats.handshakesSent,
        sessions: final.stats.sessionsEstablished,
      },
      events: { generated: final.audit.lastSequences, stored: counts.eventsStored },
      commands: {
        queued: pump.queued,
        applied: counts.commands.applied ?? 0,
        byState: counts.commands,
        appliedOnDepots: final.audit.lastCommandIds,
      },
      actions: final.stats.activity,
      roundTripMs: {
        count: roundTrips.total,
        p50: roundTrips.percentile(0.5),
        p90: roundTrips.percentile(0.9),
        p99: roundTrips.percentile(0.99),
        p999: roundTrips.percentile(0.999),
      },
      relay: {
        drops: relayDrops,
        errors: relayErrors,
        cpuSeconds: (relayAtLoadEnd.cpuMicros - relayAtLoad.cpuMicros) / 1e6,
        cpuPercent: (100 * (relayAtLoadEnd.cpuMicros - relayAtLoad.cpuMicros)) / 1e6 / loadSeconds,
        rssMiB: relayEnd.rssBytes / 2 ** 20,
        peakRssMiB: relayEnd.peakRssBytes / 2 ** 20,
      },
      depotHosts: {
        cpuPercent: (100 * (hostsAtLoadEnd - hostsAtLoad)) / 1e6 / loadSeconds,
        rssMiB: atLoadEnd.rssBytes / 2 ** 20,
      },
      drained,
      invariants: {
        eventsStoredEqualGenerated: counts.eventsStored === final.audit.lastSequences,
        commandsAppliedEqualQueued: (counts.commands.applied ?? 0) === pump.queued,
        checkInsAllAnswered:
          final.stats.checkInsUnanswered === 0 &&
          final.stats.checkInsAnswered + final.stats.checkInsSuperseded === sent,
      },
    };
  } finally {
    if (progress) clearInterval(progress);
    await pump?.stop();
    await hosts?.kill();
    await relay?.stop();
    await store.close();
    rmSync(depotsDir, { recursive: true, force: true });
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  }
}

/** CPU time of every depot host process so far (µs), from /proc. */
function hostsCpu(hosts: HostPool): number {
  return hosts.pids.reduce((sum, pid) => sum + processUsage(pid).cpuMicros, 0);
}

/** Waits for every depot's session; fails when none came online for `stallMs` (a fleet that stopped booting). */
async function everyDepotOnline(hosts: HostPool, depots: number, stallMs: number): Promise<void> {
  let best = 0;
  let progressAt = performance.now();
  for (;;) {
    const { online } = await hosts.freshStats();
    if (online >= depots) return;
    if (online > best) [best, progressAt] = [online, performance.now()];
    if (performance.now() - progressAt > stallMs) {
      throw new Error(`booting stalled: ${online} of ${depots} depots online, none more for ${stallMs / 1000} s`);
    }
    await sleep(250);
  }
}

/** Waits until nothing is left on its way: outboxes empty, results confirmed, commands settled, events stored. */
async function drain(
  hosts: HostPool,
  store: Parameters<typeof cloudCounts>[0],
  firstId: number,
  lastId: number,
  queued: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const audit = await hosts.audit();
    const counts: CloudCounts = await cloudCounts(store, firstId, lastId);
    const settled = Object.entries(counts.commands)
      .filter(([state]) => state !== 'queued' && state !== 'sent')
      .reduce((sum, [, count]) => sum + count, 0);
    if (
      audit.outbox === 0 &&
      audit.unconfirmedResults === 0 &&
      audit.waitingPins === 0 &&
      settled === queued &&
      counts.eventsStored === audit.lastSequences
    )
      return true;
    await sleep(250);
  }
  return false;
}

function reportProgress(
  relay: RelayChild,
  hosts: HostPool,
  options: LoadOptions,
  started: number,
  phase: () => ProgressSample['phase'],
): NodeJS.Timeout {
  let previous: { at: number; sent: number; rtt: LatencyHistogram } | null = null;
  return setInterval(async () => {
    const stats = hosts.stats();
    if (stats === null || options.onProgress === undefined) return;
    const now = performance.now();
    const window = new LatencyHistogram(stats.roundTrips.counts);
    if (previous) window.add({ counts: previous.rtt.counts.map((c) => -c) });
    const rate = previous ? ((stats.telegramsSent - previous.sent) * 1000) / (now - previous.at) : 0;
    previous = { at: now, sent: stats.telegramsSent, rtt: stats.roundTrips };
    options.onProgress({
      phase: phase(),
      elapsedMs: now - started,
      depots: options.depots,
      online: stats.online,
      telegramsPerSecond: rate,
      eventsStored: await relay.metric('keydepot_relay_events_stored_total'),
      p99Ms: window.percentile(0.99),
    });
  }, 1_000);
}
