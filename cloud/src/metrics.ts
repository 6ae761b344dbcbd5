import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The relay's UDP socket as the kernel lists it in /proc/net/udp: its bound address and port. */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

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

  readonly receiveBuffer = new Gauge({
    name: 'keydepot_relay_udp_receive_buffer_bytes',
    help: 'Receive buffer the kernel granted the UDP socket (SO_RCVBUF read back: Linux doubles the request, capped by net.core.rmem_max)',
    registers: [this.registry],
  });
  private socket: SocketAddress | null = null;
  readonly kernelDrops = new Gauge({
    name: 'keydepot_relay_udp_receive_buffer_drops',
    help: 'Datagrams the kernel dropped for the UDP socket because its receive buffer was full (a counter kept by the kernel, /proc/net/udp; absent where there is none)',
    registers: [this.registry],
    collect: () => {
      const drops = this.socket ? readUdpDrops(this.socket) : null;
      if (drops === null) this.kernelDrops.reset();
      else this.kernelDrops.set(drops);
    },
  });

  /** The bound relay socket: its granted receive buffer now, its kernel drops at each scrape. */
  watchSocket(socket: SocketAddress, receiveBufferBytes: number): void {
    this.socket = socket;
    this.receiveBuffer.set(receiveBufferBytes);
  }

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

/**
 * The kernel's drop counter of the UDP socket bound to `socket`, from the text
 * of /proc/net/udp (last column; addresses in hex, IPv4 in host byte order).
 * Null when no row matches. Other sockets may use the same port on another
 * loopback address, so the address must match too (0.0.0.0 for a wildcard bind).
 */
export function udpSocketDrops(table: string, socket: SocketAddress): number | null {
  const wanted = `${ipv4Hex(socket.address)}:${socket.port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === wanted) return Number(fields[fields.length - 1]);
  }
  return null;
}

/** 127.0.0.1 → 0100007F: /proc/net/udp prints the address as a host-order word (little-endian here). */
function ipv4Hex(address: string): string {
  const bytes = address.split('.').map(Number);
  const ordered = isLittleEndian ? bytes.reverse() : bytes;
  return ordered.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Kernel drops of the socket, or null off Linux (no /proc/net/udp) or for a socket not listed. */
export function readUdpDrops(socket: SocketAddress): number | null {
  try {
    return udpSocketDrops(readFileSync('/proc/net/udp', 'latin1'), socket);
  } catch {
    return null;
  }
}
