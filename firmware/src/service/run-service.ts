import type { DepotConfig } from '../config.js';
import { type DaemonOptions, startDepotDaemon } from '../daemon.js';
import type { DepotHardware } from '../hardware/types.js';
import type { LinkLogger } from '../link/link-logger.js';
import { type CrashHooks, releaseRelaysOnCrash } from './fail-safe.js';
import { notifySocketOf, openNotifyChannel, serviceNotifier, watchdogIntervalMs } from './systemd-notify.js';

export interface RunServiceOptions {
  readonly config: DepotConfig;
  readonly hardware: DepotHardware;
  readonly logger: LinkLogger;
  readonly socketFactory: DaemonOptions['socketFactory'];
  /** NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process`: the crash handlers go on it. */
  readonly hooks: CrashHooks;
  /** Resolves with the signal's name on SIGINT or SIGTERM. */
  readonly untilStopSignal: () => Promise<string>;
  /** Passed to the daemon (tests shorten the status interval). */
  readonly daemon?: Partial<Omit<DaemonOptions, 'config' | 'hardware' | 'logger' | 'socketFactory'>>;
}

/**
 * The daemon as systemd runs it (`keydepot-depot run`): crash handlers that
 * release every relay are in place before the hardware is used, READY=1 and
 * the watchdog keepalive go to systemd once it runs, and a stop signal stops it
 * gracefully (STOPPING=1, relays released, database closed).
 */
export async function runDepotService(options: RunServiceOptions): Promise<void> {
  const { config, hardware, logger } = options;
  const removeCrashHandlers = releaseRelaysOnCrash(hardware.compartments, options.hooks, logger);
  let daemon: Awaited<ReturnType<typeof startDepotDaemon>>;
  try {
    daemon = await startDepotDaemon({
      ...options.daemon,
      config,
      hardware,
      logger,
      socketFactory: options.socketFactory,
    });
  } catch (error) {
    await hardware.close();
    removeCrashHandlers();
    throw error;
  }
  const socketPath = notifySocketOf(options.env);
  const channel = socketPath === undefined ? undefined : await openNotifyChannel(socketPath, logger);
  const notifier = channel && serviceNotifier(channel, watchdogIntervalMs(options.env, process.pid));
  notifier?.ready(`depot ${config.depotId} running`);
  try {
    const signal = await options.untilStopSignal();
    logger.info({ signal }, 'stopping');
    notifier?.stopping();
    await daemon.stop();
  } finally {
    notifier?.close();
    removeCrashHandlers();
  }
}
