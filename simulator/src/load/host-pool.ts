import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ProvisioningBundle } from '@keydepot/shared';
import { forkModule, nextMessage, stopChild } from './children.js';
import { newActivityCounters } from './depot-activity.js';
import { LatencyHistogram } from './latency.js';
import type { DriverMessage, HostAudit, HostMessage, HostStart, HostStats } from './messages.js';

type StartSettings = Omit<HostStart, 'type' | 'bundles' | 'firstIndex' | 'bootPerSecond' | 'dataDir'>;

interface Host {
  readonly child: ChildProcess;
  readonly depotIds: ReadonlySet<number>;
  stats: HostStats | null;
}

/** Sums the hosts' counters; round trips as one histogram. */
export interface FleetStats extends Omit<HostStats, 'roundTrips'> {
  readonly roundTrips: LatencyHistogram;
}

/**
 * The depot host processes of a run: the fleet split evenly over them, one
 * event loop each, and their reports summed. A host that dies fails the run.
 */
export class HostPool {
  private constructor(private readonly hosts: Host[]) {}

  /** Forks `count` hosts and gives each its share of `bundles` to boot at `bootPerSecond` in all. */
  static start(
    count: number,
    bundles: readonly ProvisioningBundle[],
    settings: StartSettings & { bootPerSecond: number; workDir: string; depotsDir: string },
  ): HostPool {
    const hosts: Host[] = [];
    const share = Math.ceil(bundles.length / count);
    for (let i = 0; i < count; i++) {
      const mine = bundles.slice(i * share, (i + 1) * share);
      if (mine.length === 0) break;
      const child = forkModule('./depot-host.ts', join(settings.workDir, `depot-host-${i + 1}.log`));
      const host: Host = { child, depotIds: new Set(mine.map((b) => b.depotId)), stats: null };
      child.on('message', (message: HostMessage) => {
        if (message.type === 'stats' || message.type === 'stopped') host.stats = message.stats;
      });
      const start: HostStart = {
        type: 'start',
        bundles: mine,
        firstIndex: i * share,
        relay: settings.relay,
        wrongPinsPerHour: settings.wrongPinsPerHour,
        offlinePins: settings.offlinePins,
        bootPerSecond: settings.bootPerSecond / count,
        dataDir: join(settings.depotsDir, `host-${i + 1}`),
      };
      child.send(start);
      hosts.push(host);
    }
    return new HostPool(hosts);
  }

  get pids(): number[] {
    return this.hosts.map((h) => h.child.pid ?? 0);
  }

  /** Resolves once every host has booted all its depots. */
  async started(): Promise<void> {
    await Promise.all(this.hosts.map((h, i) => nextMessage(h.child, 'started', `depot host ${i + 1}`)));
  }

  send(message: DriverMessage): void {
    for (const host of this.hosts) host.child.send(message);
  }

  /** Sends a message to the host that runs `depotId`. */
  sendTo(depotId: number, message: DriverMessage): void {
    this.hosts.find((h) => h.depotIds.has(depotId))?.child.send(message);
  }

  /** The latest counters of every host, summed (null until each has reported once). */
  stats(): FleetStats | null {
    if (this.hosts.some((h) => h.stats === null)) return null;
    return sumStats(this.hosts.map((h) => h.stats as HostStats));
  }

  async audit(): Promise<HostAudit> {
    const audits = await this.ask<{ type: 'audit'; audit: HostAudit }>({ type: 'audit' });
    return sumAudits(audits.map((a) => a.audit));
  }

  /** Every host's counters as of now, summed. */
  async freshStats(): Promise<FleetStats> {
    const replies = await this.ask<{ type: 'stats'; stats: HostStats }>({ type: 'stats' });
    return sumStats(replies.map((r) => r.stats));
  }

  /** Every depot's clock to `speedup` (1 = real time); resolves once every host has switched. */
  async setSpeed(speedup: number): Promise<void> {
    await this.ask({ type: 'speed', speedup });
  }

  /** Sends `message` to every host and waits for each one's answer of the same type. */
  private ask<T extends HostMessage>(message: DriverMessage): Promise<T[]> {
    return Promise.all(
      this.hosts.map((h, i) => {
        const reply = nextMessage<T>(h.child, message.type as T['type'], `depot host ${i + 1}`);
        h.child.send(message);
        return reply;
      }),
    );
  }

  /** Stops every depot between exchanges: the final counters, and an audit of each depot just before it stopped. */
  async stop(idleWaitMs: number): Promise<{ stats: FleetStats; audit: HostAudit }> {
    const replies = await Promise.all(
      this.hosts.map(async (h, i) => {
        const stopped = nextMessage<{ type: 'stopped'; stats: HostStats; audit: HostAudit }>(
          h.child,
          'stopped',
          `depot host ${i + 1}`,
        );
        h.child.send({ type: 'stop', idleWaitMs } satisfies DriverMessage);
        const reply = await stopped;
        h.stats = reply.stats;
        return reply;
      }),
    );
    await Promise.all(this.hosts.map((h) => stopChild(h.child, 5_000)));
    return { stats: sumStats(replies.map((r) => r.stats)), audit: sumAudits(replies.map((r) => r.audit)) };
  }

  async kill(): Promise<void> {
    await Promise.all(this.hosts.map((h) => stopChild(h.child)));
  }
}

function sumAudits(all: readonly HostAudit[]): HostAudit {
  const sum = { outbox: 0, unconfirmedResults: 0, inFlight: 0, waitingPins: 0, lastCommandIds: 0, lastSequences: 0 };
  for (const audit of all) for (const key of Object.keys(sum) as (keyof HostAudit)[]) sum[key] += audit[key];
  return sum;
}

function sumStats(all: readonly HostStats[]): FleetStats {
  const roundTrips = new LatencyHistogram();
  const activity = newActivityCounters();
  const drops: Record<string, number> = {};
  const sum: Record<string, number> = {};
  for (const stats of all) {
    for (const [reason, count] of Object.entries(stats.drops)) drops[reason] = (drops[reason] ?? 0) + count;
    roundTrips.add({ counts: stats.roundTrips });
    for (const key of Object.keys(activity) as (keyof typeof activity)[]) activity[key] += stats.activity[key];
    for (const [key, value] of Object.entries(stats)) if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
  }
  return { ...(sum as unknown as Omit<HostStats, 'roundTrips' | 'activity' | 'drops'>), activity, drops, roundTrips };
}
