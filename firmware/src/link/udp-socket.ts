import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { LinkSocket } from './link-socket.js';

const MAX_WAITING = 8;

export interface UdpLinkSocketOptions {
  readonly host: string;
  readonly port: number;
  /** Reports send and socket errors; the socket keeps going either way. */
  readonly onError?: (error: Error) => void;
}

/**
 * One UDP socket connected to the relay. Connecting fixes the local port (so
 * the NAT mapping the keepalive holds open stays the same) and lets the kernel
 * drop datagrams from anyone but the relay. A failed connect (no DNS while the
 * network is down) is retried on the next send, so a depot that boots offline
 * finds its relay once the network is back.
 */
export function udpLinkSocket(options: UdpLinkSocketOptions): LinkSocket {
  const family = isIP(options.host) === 6 ? 'udp6' : 'udp4';
  const socket = dgram.createSocket(family);
  const report = (error: Error) => options.onError?.(error);
  let state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle';
  let handler: ((datagram: Uint8Array) => void) | null = null;
  /** Datagrams sent while the connect (a DNS lookup) runs; a few only, the link retransmits anyway. */
  let waiting: Uint8Array[] = [];

  // ICMP port-unreachable from a relay that is down arrives here on a connected socket.
  socket.on('error', report);
  socket.on('message', (data) => handler?.(new Uint8Array(data.buffer, data.byteOffset, data.length)));

  const transmit = (datagram: Uint8Array) => {
    socket.send(datagram, (error) => {
      if (error) report(error);
    });
  };

  const connect = () => {
    state = 'connecting';
    socket.connect(options.port, options.host, (error?: Error) => {
      if (state === 'closed') return;
      const queued = waiting;
      waiting = [];
      if (error) {
        state = 'idle';
        report(error);
        return;
      }
      state = 'connected';
      for (const datagram of queued) transmit(datagram);
    });
  };

  return {
    send(datagram) {
      if (state === 'closed') return;
      if (state === 'idle') connect();
      if (state === 'connected') transmit(datagram);
      else if (waiting.length < MAX_WAITING) waiting.push(datagram.slice());
    },
    onMessage(next) {
      handler = next;
    },
    close() {
      if (state === 'closed') return;
      state = 'closed';
      socket.close();
    },
  };
}
