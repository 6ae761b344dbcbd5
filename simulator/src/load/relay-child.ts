import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { forkModule, nextMessage, stopChild } from './children.js';
import { type ProcessUsage, processUsage } from './process-usage.js';

/** The run's relay process (relay-process.ts): its ports, its /metrics, its own CPU and memory. */
export class RelayChild {
  private constructor(
    readonly child: ChildProcess,
    readonly udpPort: number,
    readonly httpPort: number,
  ) {}

  static async start(options: {
    databaseUrl: string;
    relayKeyFile: string;
    dataKeyFile: string;
    workDir: string;
    speedup: number;
  }): Promise<RelayChild> {
    const child = forkModule('./relay-process.ts', join(options.workDir, 'relay.log'), {
      LOAD_DATABASE_URL: options.databaseUrl,
      LOAD_RELAY_KEY_FILE: options.relayKeyFile,
      LOAD_DATA_KEY_FILE: options.dataKeyFile,
      LOAD_SPEEDUP: String(options.speedup),
    });
    const { udpPort, httpPort } = await nextMessage<{ type: 'listening'; udpPort: number; httpPort: number }>(
      child,
      'listening',
      'the relay',
    );
    return new RelayChild(child, udpPort, httpPort);
  }

  /** The relay's clock to `speedup` (1 = real time) from now on, as the depots' clocks. */
  async setSpeed(speedup: number): Promise<void> {
    const switched = nextMessage(this.child, 'speed', 'the relay');
    this.child.send({ type: 'speed', speedup });
    await switched;
  }

  usage(): ProcessUsage {
    return processUsage(this.child.pid ?? 0);
  }

  /** One counter of the relay's Prometheus text, summed over its labels (0 when absent or unreachable). */
  async metric(name: string): Promise<number> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`);
      const text = await response.text();
      let sum = 0;
      for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(match[1]);
      return sum;
    } catch {
      return 0;
    }
  }

  /** A counter of the relay's Prometheus text by the value of one label, e.g. drops by reason. */
  async metricByLabel(name: string, label: string): Promise<Record<string, number>> {
    const found: Record<string, number> = {};
    try {
      const text = await (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
      for (const match of text.matchAll(new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\} (\\S+)$`, 'gm'))) {
        found[match[1]] = (found[match[1]] ?? 0) + Number(match[2]);
      }
    } catch {
      // The relay is gone: nothing to add.
    }
    return found;
  }

  /** Graceful: the relay answers what it stored, closes its socket and the store. */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
