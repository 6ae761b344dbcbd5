/**
 * An in-memory datagram network (like wireguard-go's bindtest): many virtual
 * depots and a relay exchange datagrams in one process without sockets. Its
 * endpoints are the DatagramEndpoint both sides take (a depot through the
 * firmware's endpointLinkSocket, the relay as its `socket` option), so a test
 * or a simulation switches between UDP and this with one option.
 */
import type { Address, DatagramEndpoint, DatagramHandler } from '@keydepot/shared';

const key = (a: Address) => `${a.host}:${a.port}`;

export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  private nextPort = 40_000;
  /** Datagrams sent to an address nobody listens on: counted, as UDP would silently lose them. */
  undeliverable = 0;

  /** Opens an endpoint; without a port it gets the next free one, like binding port 0. */
  bind(host = '127.0.0.1', port?: number): DatagramEndpoint {
    let chosen = port ?? this.nextPort++;
    while (port === undefined && this.endpoints.has(key({ host, port: chosen }))) chosen = this.nextPort++;
    const address = { host, port: chosen };
    if (this.endpoints.has(key(address))) throw new Error(`address in use: ${key(address)}`);
    const endpoint = new MemoryEndpoint(this, address);
    this.endpoints.set(key(address), endpoint);
    return endpoint;
  }

  /** Delivers on a later tick, as a socket would: a handler never runs inside send(). */
  deliver(datagram: Uint8Array, from: Address, to: Address): void {
    const copy = datagram.slice();
    queueMicrotask(() => {
      const target = this.endpoints.get(key(to));
      if (target === undefined) this.undeliverable++;
      else target.receive(copy, from);
    });
  }

  release(address: Address): void {
    this.endpoints.delete(key(address));
  }
}

class MemoryEndpoint implements DatagramEndpoint {
  private handler: DatagramHandler | null = null;
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly address: Address,
  ) {}

  send(datagram: Uint8Array, to: Address): void {
    if (this.closed) throw new Error('endpoint is closed');
    this.network.deliver(datagram, this.address, to);
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  receive(datagram: Uint8Array, from: Address): void {
    if (!this.closed) this.handler?.(datagram, from);
  }

  close(): void {
    this.closed = true;
    this.network.release(this.address);
  }
}
