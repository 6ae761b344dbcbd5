import { describe, expect, it } from 'vitest';
import { notifySocketOf, serviceNotifier, watchdogIntervalMs } from './systemd-notify.js';

describe('sd_notify settings from the environment', () => {
  it('pings at half of WatchdogSec, for this process only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '7' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({}, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
  });

  it('notifies only when systemd named a socket', () => {
    expect(notifySocketOf({ NOTIFY_SOCKET: '/run/systemd/notify' })).toBe('/run/systemd/notify');
    expect(notifySocketOf({ NOTIFY_SOCKET: '' })).toBeUndefined();
    expect(notifySocketOf({})).toBeUndefined();
  });

  it('sends READY once, no keepalive without a watchdog, STOPPING at the end', () => {
    const sent: string[] = [];
    const notifier = serviceNotifier({ send: (m) => sent.push(m), close: () => sent.push('closed') }, undefined);
    notifier.ready('depot 7 running');
    notifier.stopping();
    notifier.close();
    expect(sent).toEqual([`READY=1\nSTATUS=depot 7 running\nMAINPID=${process.pid}`, 'STOPPING=1', 'closed']);
  });
});
