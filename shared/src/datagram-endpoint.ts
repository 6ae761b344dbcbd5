/**
 * The seam between a protocol peer and its network: one bound endpoint that
 * sends to and hears from any address. The relay and the depot's link run on
 * a real UDP socket in production and on the simulator's in-memory network
 * (simulator/src/memory-network.ts) in tests and simulations, without knowing
 * which they got (wireguard-go's conn.Bind idea).
 */

export interface Address {
  readonly host: string;
  readonly port: number;
}

export type DatagramHandler = (datagram: Uint8Array, from: Address) => void;

export interface DatagramEndpoint {
  /** Where this endpoint is bound (the port chosen when it asked for port 0). */
  readonly address: Address;
  /** Sends one datagram; never throws for network trouble: UDP may lose it anyway. */
  send(datagram: Uint8Array, to: Address): void;
  /** The one handler for incoming datagrams (a later call replaces it). */
  onDatagram(handler: DatagramHandler): void;
  close(): void;
}
