import type { Address, DatagramEndpoint } from '@keydepot/shared';

/**
 * The link's view of UDP: one socket that talks to the relay only. The daemon
 * passes a real one (udp-socket.ts); tests and the simulator pass an in-memory
 * one, so the link never knows which it got (wireguard-go's conn.Bind idea).
 */
export interface LinkSocket {
  /** Sends one datagram to the relay. Never throws for network trouble: UDP may lose it anyway. */
  send(datagram: Uint8Array): void;
  /** The one handler for datagrams from the relay (a later call replaces it). */
  onMessage(handler: (datagram: Uint8Array) => void): void;
  close(): void;
}

/**
 * A LinkSocket over an endpoint that can reach many addresses: sends go to the
 * relay, and only datagrams from the relay's address are passed on (a connected
 * UDP socket filters the same way in the kernel).
 */
export function endpointLinkSocket(endpoint: DatagramEndpoint, relay: Address): LinkSocket {
  return {
    send(datagram) {
      try {
        endpoint.send(datagram, relay);
      } catch {
        // A closed or unreachable endpoint loses the datagram, as UDP would.
      }
    },
    onMessage(handler) {
      endpoint.onDatagram((datagram, from) => {
        if (from.host === relay.host && from.port === relay.port) handler(datagram);
      });
    },
    close() {
      endpoint.close();
    },
  };
}
