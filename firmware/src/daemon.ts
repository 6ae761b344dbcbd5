import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CryptoBackend, keyPairFromSecret, loadBestCryptoBackend } from '@keydepot/shared';
import { type DepotStatusFile, STATUS_FILE_VERSION, writeStatusFile } from './cli/status-file.js';
import { type DepotConfig, ownerOnlyDepotFiles } from './config.js';
import { createDepotCore, type DepotCore } from './depot/depot-core.js';
import { KeypadHealth } from './depot/keypad-health.js';
import { derivePinMacKey } from './depot/pin-verdict.js';
import { releaseEveryRelay } from './hardware/release-relays.js';
import type { DepotHardware } from './hardware/types.js';
import { Link } from './link/link.js';
import { type LinkLogger, silentLogger } from './link/link-logger.js';
import type { LinkSocket } from './link/link-socket.js';
import type { Random, RhythmSettings } from './link/rhythm.js';
import { fileStampStore, type StampStore } from './link/stamp-store.js';
import { RenewingSocket } from './service/renewing-socket.js';
import { type DepotStore, openDepotStore } from './store/depot-store.js';
import { DiskHealth } from './store/disk-health.js';
import { DiskReserve } from './store/disk-reserve.js';
import { stampsSurvivingFullDisk } from './store/full-disk-stamps.js';

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
  /** How often a full disk is looked at again (default 5 s). */
  readonly diskCheckIntervalMs?: number;
  /** How often the keypad board is pinged (default 30 s). */
  readonly keypadPingIntervalMs?: number;
}

export interface DepotDaemon {
  readonly core: DepotCore;
  readonly link: Link;
  readonly store: DepotStore;
  readonly disk: DiskHealth;
  readonly keypadHealth: KeypadHealth;
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
  const reserve = new DiskReserve(config.reservePath ?? `${config.databasePath}.reserve`, config.diskReserveBytes ?? 0);
  const store = openDepotStore(config.databasePath, {
    nowMs: Math.floor(hardware.clock.wallMs()),
    initialSettings: { language: config.language, timeZone: config.timeZone },
    onExclusiveOpen: (error) => {
      reserve.release();
      log.error(
        { err: (error as Error).message },
        'disk full: database opened in exclusive mode (status CLI tools cannot read it now)',
      );
    },
  });
  // Decisions an earlier run held when it stopped on a full disk: they go first.
  const heldPath = join(dirname(config.statusPath), 'held-decisions.json');
  try {
    store.adoptHeld(readFileSync(heldPath, 'utf8'));
    rmSync(heldPath);
    log.warn({ ...store.heldCounts() }, 'took over the decisions the last run held on a full disk');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err: error }, `could not read ${heldPath}`);
  }
  let core: DepotCore;
  let socket: LinkSocket;
  // Both tell the link through the core, so a changed health reaches the portal with the next STATUS.
  const disk = new DiskHealth({
    store,
    reserve,
    clock: hardware.clock,
    log,
    intervalMs: options.diskCheckIntervalMs,
    onChange: () => core?.statusChanged(),
  });
  const keypadHealth = new KeypadHealth({
    keypad: hardware.keypad,
    clock: hardware.clock,
    log,
    intervalMs: options.keypadPingIntervalMs,
    onChange: () => core?.statusChanged(),
  });
  try {
    core = createDepotCore({
      health: () => ({ diskFull: disk.full, keypadDead: keypadHealth.dead }),
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
    stamps: options.stamps ?? stampsSurvivingFullDisk(fileStampStore(config.stampPath), config.stampPath, log),
    rhythm: options.rhythm,
    random: options.random,
    logger: log,
    depotId: config.depotId,
    keepaliveEnabled: () => config.keepalive && core.settings().keepalive,
  });
  // A drain starts with STATUS, so a relocked compartment reaches the portal with it.
  const unsubscribeJournal = core.onJournaled(() => link.notifyJournaled());
  const unsubscribeStatus = core.onStatusChanged(() => link.notifyStatusChanged());
  const unsubscribe = () => {
    unsubscribeJournal();
    unsubscribeStatus();
  };
  disk.start();
  core.start();
  link.start();
  keypadHealth.start();
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
      disk: { full: disk.full, ...store.heldCounts() },
      ...(socket instanceof RenewingSocket ? { socket: socket.health } : {}),
      keypadDead: keypadHealth.dead,
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
    disk,
    keypadHealth,
    writeStatus,
    stop() {
      stopped ??= (async () => {
        // Relays first, before anything that could throw: a stop never leaves a strike energised.
        for (const failure of releaseEveryRelay(hardware.compartments)) {
          log.error({ err: failure.error, compartment: failure.number }, 'relay release failed');
        }
        // Each step on its own: one that fails (a full disk, a closed socket) is logged and the rest still run.
        const steps: [string, () => void][] = [
          [
            'timers',
            () => {
              statusTimer?.cancel();
              statusTimer = null;
              keypadHealth.stop();
              disk.stop();
            },
          ],
          ['link', () => link.stop()],
          ['listeners', unsubscribe],
          // better-sqlite3 is synchronous: no transaction can be half-done here.
          ['core', () => core.stop()],
          // Held decisions get a last chance to reach the disk.
          ['held writes', () => disk.flushHeld()],
          [
            // Still full: what is held goes beside status.json (the unit's tmpfs), for the next run.
            'held spill',
            () => {
              const held = store.heldJson();
              if (held === undefined) return;
              writeFileSync(heldPath, held, { mode: 0o600 });
              log.warn({ ...store.heldCounts(), path: heldPath }, 'stopping on a full disk: held decisions kept');
            },
          ],
          ['status file', writeStatus],
          ['socket', () => socket.close()],
          ['store', () => store.close()],
        ];
        for (const [what, step] of steps) {
          try {
            step();
          } catch (error) {
            log.error({ err: error, step: what }, 'stopping: a step failed');
          }
        }
        try {
          await hardware.close();
        } catch (error) {
          log.error({ err: error }, 'stopping: closing the hardware failed');
        }
        log.info({}, 'depot daemon stopped');
      })();
      return stopped;
    },
  };
}
