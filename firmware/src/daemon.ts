import { mkdirSync } from 'node:fs';
import { type CryptoBackend, keyPairFromSecret, loadBestCryptoBackend } from '@keydepot/shared';
import { type DepotStatusFile, STATUS_FILE_VERSION, writeStatusFile } from './cli/status-file.js';
import { type DepotConfig, ownerOnlyDepotFiles } from './config.js';
import { createDepotCore, type DepotCore } from './depot/depot-core.js';
import { derivePinMacKey } from './depot/pin-verdict.js';
import { releaseEveryRelay } from './hardware/release-relays.js';
import type { DepotHardware } from './hardware/types.js';
import { Link } from './link/link.js';
import { type LinkLogger, silentLogger } from './link/link-logger.js';
import type { LinkSocket } from './link/link-socket.js';
import type { Random, RhythmSettings } from './link/rhythm.js';
import { fileStampStore, type StampStore } from './link/stamp-store.js';
import { type DepotStore, openDepotStore } from './store/depot-store.js';

/** The firmware's version as STATUS reports it. */
export const FIRMWARE_VERSION = '0.1.0';

export interface DaemonOptions {
  readonly config: DepotConfig;
  /** Real drivers (the CLI) or simulated ones (tests, simulator, `run --simulated-hardware`). */
  readonly hardware: DepotHardware;
  /** Builds the socket to the relay: UDP in the daemon, in-memory in the simulator. */
  readonly socketFactory: (relay: { host: string; port: number }) => LinkSocket;
  readonly logger?: LinkLogger;
  /** Default: sodium-native where its binary loads, else the portable WASM build (loadBestCryptoBackend). */
  readonly backend?: CryptoBackend;
  readonly rhythm?: Partial<RhythmSettings>;
  readonly random?: Random;
  /** Default: a file beside the database, written with fsync before every initiation. */
  readonly stamps?: StampStore;
  /** How often the status file for `keydepot-depot status` is rewritten (default 10 s; 0 = never). */
  readonly statusIntervalMs?: number;
  readonly firmwareVersion?: string;
  /**
   * Default true. false leaves out the offline-PIN candidate table (about 7,800 HMACs and 1.7 MB per depot,
   * built at the first TIME): the simulator's load mode runs thousands of depots in one process.
   */
  readonly offlinePins?: boolean;
}

export interface DepotDaemon {
  readonly core: DepotCore;
  readonly link: Link;
  readonly store: DepotStore;
  /** Writes the status file now. */
  writeStatus(): void;
  /** Graceful: stop the link and the core (locks released, clock floor written), close socket, DB and hardware. */
  stop(): Promise<void>;
}

/**
 * The depot daemon: opens the store, builds the core and the link over the
 * hardware and socket it is given, and starts them (a BOOT event, then a new
 * handshake). Local secrets come from the depot's secret key by HKDF with a
 * label per use ('keydepot pin-mac key v1' for the PIN MACs, see
 * depot/pin-verdict.ts derivePinMacKey), so the SD card holds one secret file
 * to protect, and the PIN MAC key is never the Noise key itself.
 */
export async function startDepotDaemon(options: DaemonOptions): Promise<DepotDaemon> {
  const { config } = options;
  // The core and store take fractional clocks (performance.now(), a sped-up simulated clock) as they come.
  const { hardware } = options;
  const log = options.logger ?? silentLogger;
  const backend = options.backend ?? (await loadBestCryptoBackend());
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  for (const folder of ownerOnlyDepotFiles(config)) {
    log.warn({ folder }, `group or others may enter ${folder}: run chmod 700 ${folder}`);
  }
  const store = openDepotStore(config.databasePath, {
    nowMs: Math.floor(hardware.clock.wallMs()),
    initialSettings: { language: config.language, timeZone: config.timeZone },
  });
  let core: DepotCore;
  let socket: LinkSocket;
  try {
    core = createDepotCore({
      hardware,
      store,
      pinMacKey: derivePinMacKey(config.depotSecretKey),
      offline: options.offlinePins === false ? undefined : { key: config.offlineKey, depotId: config.depotId },
      firmwareVersion: options.firmwareVersion ?? FIRMWARE_VERSION,
      logger: log,
    });
    socket = options.socketFactory({ host: config.relay.host, port: config.relay.port });
  } catch (error) {
    store.close();
    throw error;
  }
  const link = new Link({
    backend,
    staticKeys: keyPairFromSecret(backend, config.depotSecretKey),
    relayPublicKey: config.relay.publicKey,
    socket,
    clock: hardware.clock,
    depot: core,
    stamps: options.stamps ?? fileStampStore(config.stampPath),
    rhythm: options.rhythm,
    random: options.random,
    logger: log,
    keepaliveEnabled: () => config.keepalive && core.settings().keepalive,
  });
  // A drain starts with STATUS, so a relocked compartment reaches the portal with it.
  const unsubscribeJournal = core.onJournaled(() => link.notifyJournaled());
  const unsubscribeStatus = core.onStatusChanged(() => link.notifyJournaled());
  const unsubscribe = () => {
    unsubscribeJournal();
    unsubscribeStatus();
  };
  core.start();
  link.start();
  log.info(
    { depotId: config.depotId, epoch: core.epoch, relay: `${config.relay.host}:${config.relay.port}` },
    'depot daemon started',
  );

  const writeStatus = () => {
    if (!store.isOpen) return;
    const status: DepotStatusFile = {
      version: STATUS_FILE_VERSION,
      pid: process.pid,
      writtenAtMs: Date.now(),
      depotId: config.depotId,
      epoch: core.epoch,
      link: link.snapshot(),
      depot: core.status(),
      lockedOut: core.lockedOut(),
      clockKnown: core.clockKnown(),
    };
    try {
      writeStatusFile(config.statusPath, status);
    } catch (error) {
      log.warn({ err: error }, 'could not write the status file');
    }
  };
  const interval = options.statusIntervalMs ?? 10_000;
  let statusTimer =
    interval > 0
      ? hardware.clock.after(interval, function tick() {
          writeStatus();
          statusTimer = hardware.clock.after(interval, tick);
        })
      : null;
  writeStatus();

  let stopped: Promise<void> | null = null;
  return {
    core,
    link,
    store,
    writeStatus,
    stop() {
      stopped ??= (async () => {
        // Relays first, before anything that could throw: a stop never leaves a strike energised.
        for (const failure of releaseEveryRelay(hardware.compartments)) {
          log.error({ err: failure.error, compartment: failure.number }, 'relay release failed');
        }
        try {
          statusTimer?.cancel();
          statusTimer = null;
          link.stop();
          unsubscribe();
          // better-sqlite3 is synchronous: no transaction can be half-done here.
          core.stop();
          writeStatus();
          socket.close();
          store.close();
        } finally {
          await hardware.close();
        }
        log.info({}, 'depot daemon stopped');
      })();
      return stopped;
    },
  };
}
