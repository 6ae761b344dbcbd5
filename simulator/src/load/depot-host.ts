/**
 * A depot host: a child process of the load driver that runs its share of the
 * fleet, each depot the real firmware daemon (startDepotDaemon) on simulated
 * hardware with its own clock, an in-memory SQLite journal and its own UDP
 * socket. The depots boot in real time and are sped up together on the
 * driver's word. Started by fork(); everything comes in over IPC (messages.ts).
 */
import { join } from 'node:path';
import {
  createSimulatedHardware,
  DEFAULT_RHYTHM,
  type DepotDaemon,
  loadDepotConfig,
  memoryStampStore,
  type RhythmSettings,
  SimulatedClock,
  type SimulatedHardware,
  silentLogger,
  startDepotDaemon,
  writeProvisioning,
} from '@keydepot/firmware';
import { type CryptoBackend, loadBestCryptoBackend, type ProvisioningBundle } from '@keydepot/shared';
import { DepotActivity, newActivityCounters } from './depot-activity.js';
import { ExchangeTally, LoadSocket } from './load-socket.js';
import type { DriverMessage, HostAudit, HostMessage, HostStart, HostStats } from './messages.js';

interface HostedDepot {
  readonly hardware: SimulatedHardware;
  readonly daemon: DepotDaemon;
  readonly activity: DepotActivity;
}

const send = (message: HostMessage) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 127.a.b.c for the index-th depot of the fleet; host parts 0 and 255 are skipped. */
function loopbackAddress(index: number): string {
  return `127.${1 + Math.floor(index / 62_500)}.${1 + (Math.floor(index / 250) % 250)}.${1 + (index % 250)}`;
}

/**
 * Retransmission waits (2-3 s, doubling; protocol §10) cover network and relay
 * latency, which a sped-up clock does not shorten: at 60× they would be 33-50 ms
 * of real time, less than a busy relay's round trip, and every slow answer would
 * become a retransmission (and every slow handshake a new initiation that voids
 * the one being answered). So they stay in real time; check-ins, keepalives and
 * everything people do run on the sped-up clock.
 */
function realTimeRetransmissions(speedup: number): Partial<RhythmSettings> {
  return {
    retransmitMinMs: DEFAULT_RHYTHM.retransmitMinMs * speedup,
    retransmitMaxMs: DEFAULT_RHYTHM.retransmitMaxMs * speedup,
  };
}

const depots = new Map<number, HostedDepot>();
const tally = new ExchangeTally();
const activity = newActivityCounters();
let journaled = 0;
let wrongPinsPerHour = 0;
let activityOn = false;

async function startDepot(
  start: HostStart,
  bundle: ProvisioningBundle,
  index: number,
  backend: CryptoBackend,
): Promise<void> {
  const configDir = join(start.dataDir, `depot-${bundle.depotId}`);
  // The technician's step (depot.json and the two key files, mode 0600), then the daemon's own loading.
  writeProvisioning({ ...bundle, relay: { ...bundle.relay, ...start.relay } }, configDir, { force: true });
  // The journal lives in memory: a file and a WAL per depot would cost 10,000 file handles and fsyncs
  // that measure this machine's disk, not the relay.
  const config = { ...loadDepotConfig(configDir), databasePath: ':memory:' };
  // Real time while booting: the driver speeds the whole fleet up at once when every depot is online.
  const clock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
  const hardware = createSimulatedHardware({ compartments: bundle.compartments, clock, keySensors: true });
  const socket = await LoadSocket.open(loopbackAddress(index), start.relay, tally);
  const daemon = await startDepotDaemon({
    config,
    hardware,
    backend,
    socketFactory: () => socket,
    stamps: memoryStampStore(),
    rhythm: realTimeRetransmissions(1),
    logger: silentLogger,
    statusIntervalMs: 0,
    offlinePins: start.offlinePins,
  });
  socket.probe = {
    inFlight: () => daemon.link.snapshot().inFlight,
    retransmissions: () => daemon.link.snapshot().retransmissions,
    exchangesGivenUp: () => daemon.link.snapshot().exchangesGivenUp,
  };
  daemon.core.onJournaled((events) => {
    journaled += events.length;
  });
  const hosted = { hardware, daemon, activity: new DepotActivity(hardware, daemon, activity, Math.random) };
  depots.set(bundle.depotId, hosted);
  if (activityOn) hosted.activity.start(wrongPinsPerHour);
}

/** How late this process's timers fire (ms, smoothed over ~10 samples of a 10 ms probe): how busy it is. */
const LAG_PROBE_MS = 10;
let loopLagMs = 0;
let probeAt = performance.now();
const lagProbe = setInterval(() => {
  const now = performance.now();
  loopLagMs = 0.9 * loopLagMs + 0.1 * Math.max(0, now - probeAt - LAG_PROBE_MS);
  probeAt = now;
}, LAG_PROBE_MS);

/**
 * Booting waits while timers run this late: each start is ~10 ms of synchronous work, and a host that
 * starts depots faster than its loop keeps up answers its booted depots' telegrams late, which (once
 * late by more than 2-3 s) turns them into retransmissions and new handshakes: the collapse a fixed
 * boot rate ran into on a busy machine.
 */
const BOOT_MAX_LAG_MS = 15;

async function boot(start: HostStart): Promise<void> {
  const backend = await loadBestCryptoBackend();
  wrongPinsPerHour = start.wrongPinsPerHour;
  const began = performance.now();
  for (const [offset, bundle] of start.bundles.entries()) {
    // --boot-rate stays a ceiling: the fleet's first handshakes within the relay's admission budget.
    const due = began + (offset * 1000) / start.bootPerSecond;
    // Yields at least once between starts so that booted depots keep talking.
    do await sleep(Math.max(0, due - performance.now()));
    while (loopLagMs > BOOT_MAX_LAG_MS);
    await startDepot(start, bundle, start.firstIndex + offset, backend);
  }
  send({ type: 'started', count: depots.size });
}

/** Every depot's clock to `speedup` at once, retransmission waits kept in real time. */
function setSpeed(speedup: number): void {
  for (const { hardware, daemon } of depots.values()) {
    hardware.clock.setSpeed(speedup);
    daemon.link.setRhythm(realTimeRetransmissions(speedup));
  }
}

function stats(): HostStats {
  let online = 0;
  const drops: Record<string, number> = {};
  const link = {
    telegramsSent: 0,
    telegramsReceived: 0,
    retransmissions: 0,
    handshakesSent: 0,
    sessions: 0,
    gaveUp: 0,
  };
  for (const { daemon } of depots.values()) {
    const snapshot = daemon.link.snapshot();
    if (snapshot.session === 'established' || snapshot.session === 'rekeying') online++;
    link.telegramsSent += snapshot.telegramsSent;
    link.telegramsReceived += snapshot.telegramsReceived;
    link.retransmissions += snapshot.retransmissions;
    link.handshakesSent += snapshot.handshakesSent;
    link.sessions += snapshot.sessionsEstablished;
    link.gaveUp += snapshot.exchangesGivenUp;
    for (const [reason, count] of Object.entries(snapshot.drops)) drops[reason] = (drops[reason] ?? 0) + count;
  }
  const cpu = process.cpuUsage();
  return {
    started: depots.size,
    online,
    telegramsSent: link.telegramsSent,
    telegramsReceived: link.telegramsReceived,
    retransmissions: link.retransmissions,
    handshakesSent: link.handshakesSent,
    sessionsEstablished: link.sessions,
    exchangesGivenUp: link.gaveUp,
    drops,
    exchanges: tally.exchanges,
    answered: tally.answered,
    checkIns: tally.checkIns,
    checkInsAnswered: tally.checkInsAnswered,
    checkInsUnanswered: tally.checkInsUnanswered,
    checkInsSuperseded: tally.checkInsSuperseded,
    eventsJournaled: journaled,
    activity: { ...activity },
    roundTrips: tally.roundTrips.counts,
    cpuMicros: cpu.user + cpu.system,
    rssBytes: process.memoryUsage.rss(),
  };
}

type Audit = { -readonly [K in keyof HostAudit]: number };
const emptyAudit = (): Audit => ({
  outbox: 0,
  unconfirmedResults: 0,
  inFlight: 0,
  waitingPins: 0,
  lastCommandIds: 0,
  lastSequences: 0,
});

function auditDepot(sum: Audit, { daemon, activity: depotActivity }: HostedDepot): void {
  sum.outbox += daemon.store.outboxSize();
  sum.unconfirmedResults += daemon.store.unconfirmedResults().length;
  if (daemon.link.snapshot().inFlight !== null) sum.inFlight++;
  sum.waitingPins += depotActivity.waitingPins;
  sum.lastCommandIds += daemon.store.lastCommandId();
  sum.lastSequences += daemon.store.lastSequence();
}

function audit(): HostAudit {
  const sum = emptyAudit();
  for (const depot of depots.values()) auditDepot(sum, depot);
  return sum;
}

/** Stops each depot between exchanges (none in flight), so no check-in is cut off unanswered; then the rest. */
async function stopAll(idleWaitMs: number): Promise<HostAudit> {
  const final = emptyAudit();
  const deadline = performance.now() + idleWaitMs;
  const remaining = new Map(depots);
  while (remaining.size > 0) {
    const late = performance.now() > deadline;
    for (const [id, depot] of remaining) {
      if (!late && depot.daemon.link.snapshot().inFlight !== null) continue;
      remaining.delete(id);
      auditDepot(final, depot);
      await depot.daemon.stop();
      depot.hardware.clock.stop();
    }
    if (remaining.size > 0) await sleep(2);
  }
  return final;
}

// Types applied PINs promptly without a timer per depot.
const ticker = setInterval(() => {
  for (const depot of depots.values()) depot.activity.typeAppliedPins();
}, 20);
const reporter = setInterval(() => send({ type: 'stats', stats: stats() }), 1_000);

// The driver is gone (killed, crashed): do not linger with thousands of sockets open.
process.once('disconnect', () => process.exit(1));
process.on('message', (message: DriverMessage) => {
  const fail = (error: unknown) => send({ type: 'failed', message: (error as Error).stack ?? String(error) });
  try {
    if (message.type === 'start') boot(message).catch(fail);
    else if (message.type === 'pin') depots.get(message.depotId)?.activity.expect(message);
    else if (message.type === 'activity') {
      activityOn = message.on;
      for (const depot of depots.values()) {
        if (message.on) depot.activity.start(wrongPinsPerHour);
        else depot.activity.quiet();
      }
    } else if (message.type === 'audit') send({ type: 'audit', audit: audit() });
    else if (message.type === 'stats') send({ type: 'stats', stats: stats() });
    else if (message.type === 'speed') {
      setSpeed(message.speedup);
      send({ type: 'speed', speedup: message.speedup });
    } else if (message.type === 'stop') {
      clearInterval(ticker);
      clearInterval(reporter);
      clearInterval(lagProbe);
      stopAll(message.idleWaitMs).then((final) => {
        // Exits once the message is out: nothing else is left running.
        process.send?.({ type: 'stopped', stats: stats(), audit: final } satisfies HostMessage, () => process.exit(0));
      }, fail);
    }
  } catch (error) {
    fail(error);
  }
});
