import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The relay's Prometheus metrics in their own registry (never the global
 * default, so that several relays in one process, as in tests, stay apart).
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly datagramsIn = new Counter({
    name: 'keydepot_relay_datagrams_received_total',
    help: 'UDP datagrams received, before any check',
    registers: [this.registry],
  });
  readonly telegramsIn = new Counter({
    name: 'keydepot_relay_telegrams_accepted_total',
    help: 'Depot transport telegrams that passed every check',
    registers: [this.registry],
  });
  readonly telegramsOut = new Counter({
    name: 'keydepot_relay_telegrams_sent_total',
    help: 'Telegrams sent to depots, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly drops = new Counter({
    name: 'keydepot_relay_drops_total',
    help: 'Datagrams dropped silently, by reason (protocol §7)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly violations = new Counter({
    name: 'keydepot_relay_protocol_violations_total',
    help: 'Frames of authenticated depots that broke a protocol rule (protocol §8.10), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly handshakes = new Counter({
    name: 'keydepot_relay_handshakes_total',
    help: 'Handshakes completed (a response was sent)',
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: 'keydepot_relay_sessions',
    help: 'Depot sessions this process holds in memory',
    registers: [this.registry],
  });
  readonly eventsStored = new Counter({
    name: 'keydepot_relay_events_stored_total',
    help: 'Depot events inserted (duplicates not counted)',
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'keydepot_relay_commands_total',
    help: 'Command state changes made by the relay, by new state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly presence = new Counter({
    name: 'keydepot_relay_presence_changes_total',
    help: 'Depots marked online or offline',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'keydepot_relay_errors_total',
    help: 'Unexpected errors while handling a datagram or a batch (logged at debug/warn)',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: 'keydepot_relay_store_seconds',
    help: 'Store operation latency, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'keydepot_relay_batch_uplinks',
    help: 'Uplinks stored per group commit',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });

  /** Times a store call and records it under `operation`. */
  async time<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const end = this.storeLatency.startTimer({ operation });
    try {
      return await run();
    } finally {
      end();
    }
  }

  /** The exposition text for /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Current value of a counter (tests and the bench read drops and errors). */
  async count(counter: Counter<string>, labels: Record<string, string> = {}): Promise<number> {
    const values = (await counter.get()).values;
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  }
}
