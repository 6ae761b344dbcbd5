/**
 * The firmware tests' relay over real UDP on 127.0.0.1: RelayCore behind a
 * dgram socket. It answers every accepted telegram at the sender's address,
 * remembers the depot's address for pushes, and can be started on a fixed
 * port later (the offline test's "relay appears") or paused (an outage).
 */
import dgram from 'node:dgram';
import { type CryptoBackend, generateKeyPair, type KeyPair, loadCryptoBackend } from '@keydepot/shared';
import { type QueuedCommand, RelayCore } from './relay-core.js';

export const LOOPBACK = '127.0.0.1';

export interface TestRelayOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1; the address-change test binds the relay end of a veth pair. */
  readonly host?: string;
  readonly keys?: KeyPair;
  /** Default: sodium-native, as the cloud's relay runs. */
  readonly backend?: CryptoBackend;
  /** Relay wall clock for TIME frames (default Date.now). */
  readonly wallMs?: () => number;
}

export interface TestRelay {
  readonly core: RelayCore;
  readonly keys: KeyPair;
  readonly port: number;
  /** Where the relay last heard the depot from (an accepted datagram), null before. */
  depotAddress(): { address: string; port: number } | null;
  /** Sends the pending commands (or exactly `commands`, in that order) to the depot at once (protocol §12.3 push). */
  push(commands?: readonly QueuedCommand[]): void;
  /** Closes the socket (the depot's datagrams meet a closed port) but keeps the relay's state. */
  pause(): Promise<void>;
  /** Listens again on the same port, with the same state: sessions, stamps, stored events. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const backend = options.backend ?? (await loadCryptoBackend('sodium-native'));
  const keys = options.keys ?? generateKeyPair(backend);
  const core = new RelayCore({ backend, keys, wallMs: options.wallMs });
  let depot: { address: string; port: number } | null = null;
  let socket: dgram.Socket | null = null;
  const send = (datagrams: Uint8Array[], to: { address: string; port: number }) => {
    for (const datagram of datagrams) socket?.send(datagram, to.port, to.address);
  };
  const listen = async (port: number): Promise<number> => {
    const next = dgram.createSocket('udp4');
    next.on('message', (data, from) => {
      const replies = core.handle(new Uint8Array(data.buffer, data.byteOffset, data.length));
      // Only an accepted datagram moves the depot's address (RelayCore answers nothing else).
      if (replies.length > 0) depot = { address: from.address, port: from.port };
      send(replies, from);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.bind(port, options.host ?? LOOPBACK, () => {
        next.off('error', reject);
        resolve();
      });
    });
    socket = next;
    return next.address().port;
  };
  const closeSocket = async () => {
    const current = socket;
    socket = null;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  const port = await listen(options.port ?? 0);
  return {
    core,
    keys,
    port,
    depotAddress: () => depot,
    push(commands) {
      if (depot) send(core.pushDatagrams(commands), depot);
    },
    pause: closeSocket,
    resume: async () => {
      if (socket === null) await listen(port);
    },
    close: closeSocket,
  };
}

/** A UDP port that was free a moment ago: for a relay that starts later at an address the depot already dials. */
export async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, LOOPBACK, () => resolve()));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
