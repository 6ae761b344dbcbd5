/**
 * sd_notify(3) without libsystemd: the protocol is one datagram of
 * `KEY=value` lines to the unix socket named by $NOTIFY_SOCKET. Node cannot
 * send unix datagrams, so the small `unix-dgram` addon (one socket, sendto)
 * does it; it is loaded only when systemd asked for notifications. Spawning
 * `systemd-notify` instead would race: systemd drops a message whose sender
 * has exited before it looked the sender up (docs/hardware.md).
 */

/** Where the messages go: `send` is one datagram. */
export interface NotifyChannel {
  send(message: string): void;
  close(): void;
}

export interface NotifyLog {
  warn(fields: object, message: string): void;
}

/** The socket systemd named, or undefined when not run by systemd with Type=notify. */
export function notifySocketOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const path = env.NOTIFY_SOCKET;
  return path === undefined || path === '' ? undefined : path;
}

/**
 * How often to send WATCHDOG=1: half of WatchdogSec as systemd passes it
 * (WATCHDOG_USEC), as sd_watchdog_enabled(3) advises; undefined when the
 * watchdog is off or meant for another process (WATCHDOG_PID).
 */
export function watchdogIntervalMs(env: Readonly<Record<string, string | undefined>>, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (env.WATCHDOG_USEC === undefined || !Number.isInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2_000));
}

/** A channel to $NOTIFY_SOCKET over unix-dgram; undefined (with a warning) for an abstract socket it cannot reach. */
export async function openNotifyChannel(path: string, log: NotifyLog): Promise<NotifyChannel | undefined> {
  if (path.startsWith('@')) {
    // unix-dgram copies the path as a C string, so the abstract namespace is out of its reach.
    log.warn({ path }, 'NOTIFY_SOCKET is an abstract socket; not notifying systemd');
    return undefined;
  }
  const { createSocket } = await import('unix-dgram');
  const socket = createSocket('unix_dgram');
  socket.on('error', (error) => log.warn({ err: error, path }, 'sd_notify failed'));
  socket.on('congestion', () => log.warn({ path }, 'sd_notify: socket congested, message dropped'));
  return {
    send(message) {
      const bytes = Buffer.from(message, 'utf8');
      socket.send(bytes, 0, bytes.length, path);
    },
    close: () => socket.close(),
  };
}

/** READY=1 once, WATCHDOG=1 on an event-loop interval, STOPPING=1 at the end. */
export interface ServiceNotifier {
  ready(status: string): void;
  stopping(): void;
  close(): void;
}

/**
 * Tells systemd the daemon is up and, while the event loop turns, that it is
 * alive. The keepalive is a plain interval on the loop itself: a loop blocked
 * for WatchdogSec stops it, systemd kills and restarts the daemon, and the new
 * driver opens every relay line released.
 */
export function serviceNotifier(channel: NotifyChannel, intervalMs: number | undefined): ServiceNotifier {
  let keepalive: NodeJS.Timeout | undefined;
  return {
    ready(status) {
      channel.send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
      if (intervalMs !== undefined) {
        keepalive = setInterval(() => channel.send('WATCHDOG=1'), intervalMs);
        keepalive.unref();
      }
    },
    stopping() {
      clearInterval(keepalive);
      keepalive = undefined;
      channel.send('STOPPING=1');
    },
    close() {
      clearInterval(keepalive);
      keepalive = undefined;
      channel.close();
    },
  };
}
