import dgram from 'node:dgram';
import type { LinkSocket } from '@keydepot/firmware';
import { TelegramType } from '@keydepot/shared';
import { LatencyHistogram } from './latency.js';

/** What the tally needs to know about the depot's link when a telegram leaves (read from its snapshot). */
export interface LinkProbe {
  inFlight(): 'check-in' | 'drain' | 'keepalive' | null;
  retransmissions(): number;
  exchangesGivenUp(): number;
}

/** Exchange outcomes of every depot in one host process, summed. */
export class ExchangeTally {
  readonly roundTrips = new LatencyHistogram();
  exchanges = 0;
  answered = 0;
  checkIns = 0;
  checkInsAnswered = 0;
  /** The link gave up on them (no answer after every retransmission). */
  checkInsUnanswered = 0;
  /** A new session started while they waited: the link sent a fresh check-in in their place. */
  checkInsSuperseded = 0;
}

interface Pending {
  readonly atMs: number;
  readonly purpose: 'check-in' | 'drain' | 'keepalive' | null;
  retransmissions: number;
  readonly givenUp: number;
}

/**
 * One depot's UDP socket, bound to its own loopback address (127.x.y.z: every
 * depot has its own source address, as depots behind their own routers do, so
 * the relay's per-address handshake limit applies per depot) and connected to
 * the relay. It times each exchange: from the first telegram the link sends
 * for it to the first relay telegram that comes back (one exchange is in
 * flight at a time, protocol §10); retransmissions keep the first send time.
 */
export class LoadSocket implements LinkSocket {
  private handler: ((datagram: Uint8Array) => void) | null = null;
  private pending: Pending | null = null;
  private closed = false;
  probe: LinkProbe | null = null;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly tally: ExchangeTally,
  ) {
    socket.on('message', (data) => {
      if (data[0] === TelegramType.Transport) this.answered();
      this.handler?.(new Uint8Array(data.buffer, data.byteOffset, data.length));
    });
    // ICMP unreachable while the relay restarts, or a full buffer: UDP may lose datagrams, the link copes.
    socket.on('error', () => undefined);
  }

  static async open(localHost: string, relay: { host: string; port: number }, tally: ExchangeTally) {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, localHost, () => socket.connect(relay.port, relay.host, () => resolve()));
    });
    socket.removeAllListeners('error');
    return new LoadSocket(socket, tally);
  }

  send(datagram: Uint8Array): void {
    if (this.closed) return;
    if (datagram[0] === TelegramType.Transport) this.sending();
    this.socket.send(datagram);
  }

  onMessage(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.settleUnanswered();
    this.socket.close();
  }

  private sending(): void {
    const probe = this.probe;
    if (probe === null) return;
    const retransmissions = probe.retransmissions();
    if (this.pending !== null && retransmissions > this.pending.retransmissions) {
      this.pending.retransmissions = retransmissions;
      return;
    }
    this.settleUnanswered();
    const purpose = probe.inFlight();
    this.pending = { atMs: performance.now(), purpose, retransmissions, givenUp: probe.exchangesGivenUp() };
    this.tally.exchanges++;
    if (purpose === 'check-in') this.tally.checkIns++;
  }

  private answered(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    this.tally.answered++;
    this.tally.roundTrips.record(performance.now() - pending.atMs);
    if (pending.purpose === 'check-in') this.tally.checkInsAnswered++;
  }

  /** The exchange before this one got no answer: given up by the link, or replaced after a new handshake. */
  private settleUnanswered(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending === null || pending.purpose !== 'check-in') return;
    const givenUp = (this.probe?.exchangesGivenUp() ?? pending.givenUp) > pending.givenUp;
    if (givenUp) this.tally.checkInsUnanswered++;
    else this.tally.checkInsSuperseded++;
  }
}
