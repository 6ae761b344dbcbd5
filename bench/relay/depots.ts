import dgram from 'node:dgram';
import {
  type CryptoBackend,
  createInitiation,
  encodeFrames,
  FrameKind,
  generateKeyPair,
  type KeyPair,
  type PendingInitiation,
  readU32,
  type StatusFrame,
  type TransportSession,
} from '../../shared/src/index.js';

/** Every simulated depot's check-in: a STATUS of 6 full, locked compartments, last applied command 7 (as in a real fleet). */
export const CHECK_IN_STATUS: StatusFrame = {
  kind: FrameKind.Status,
  uptimeSeconds: 1000,
  lastCommandId: 7,
  outboxSize: 0,
  lockoutUntilMs: 0,
  failedAttempts: 0,
  clockKnown: true,
  firmwareVersion: 'bench-1',
  compartments: Array.from({ length: 6 }, () => ({ doorOpen: false, keyPresent: true, keySensor: true, locked: true })),
};
const CHECK_IN = encodeFrames([CHECK_IN_STATUS]);

interface SimDepot {
  readonly keys: KeyPair;
  readonly localId: number;
  readonly socket: dgram.Socket;
  pending?: PendingInitiation;
  session?: TransportSession;
  sentAt: number;
}

/**
 * N simulated depots on a few shared client sockets (like depots behind a
 * handful of NAT addresses), each checking in again as soon as the relay
 * answers the last check-in: the relay's throughput, not a timer, sets the pace.
 */
export class SimulatedDepots {
  readonly depots: SimDepot[] = [];
  private readonly byId = new Map<number, SimDepot>();
  readonly sockets: dgram.Socket[] = [];
  running = false;
  checkIns = 0;
  rtts: number[] = [];
  timeouts = 0;

  constructor(
    private readonly backend: CryptoBackend,
    private readonly relayPublicKey: Uint8Array,
    count: number,
    socketCount: number,
  ) {
    for (let i = 0; i < socketCount; i++) {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      socket.on('message', (m) => this.receive(new Uint8Array(m.buffer, m.byteOffset, m.length)));
      this.sockets.push(socket);
    }
    for (let i = 0; i < count; i++) {
      const depot: SimDepot = {
        keys: generateKeyPair(backend),
        localId: i + 1,
        socket: this.sockets[i % socketCount],
        sentAt: 0,
      };
      this.depots.push(depot);
      this.byId.set(depot.localId, depot);
    }
  }

  async bind(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', r))));
  }

  /** Handshakes every depot with the server on `port`, a few hundred at a time. */
  async handshakeAll(port: number): Promise<void> {
    for (let i = 0; i < this.depots.length; i += 200) {
      const group = this.depots.slice(i, i + 200);
      for (const d of group) {
        d.pending = createInitiation({
          backend: this.backend,
          staticKeys: d.keys,
          relayPublicKey: this.relayPublicKey,
          localId: d.localId,
          stamp: Date.now(),
        });
        d.socket.send(d.pending.datagram, port, '127.0.0.1');
      }
      const deadline = Date.now() + 10_000;
      while (group.some((d) => !d.session) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      if (group.some((d) => !d.session)) throw new Error('handshakes did not complete');
    }
  }

  /** Starts every depot's check-in loop against `port`. */
  start(port: number): void {
    this.running = true;
    this.port = port;
    for (const d of this.depots) this.checkIn(d);
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (const d of this.depots) {
        if (now - d.sentAt > 1_000) {
          this.timeouts++;
          this.checkIn(d);
        }
      }
    }, 250);
  }

  stop(): void {
    this.running = false;
    clearInterval(this.watchdog);
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }

  private port = 0;
  private watchdog: NodeJS.Timeout | undefined;

  private checkIn(d: SimDepot): void {
    if (!this.running || !d.session) return;
    d.sentAt = performance.now();
    d.socket.send(d.session.seal(CHECK_IN), this.port, '127.0.0.1');
  }

  private receive(datagram: Uint8Array): void {
    if (datagram[0] === 2) {
      const d = this.byId.get(readU32(datagram, 8));
      const result = d?.pending?.consumeResponse(datagram, Date.now());
      if (d && result?.ok) d.session = result.session;
      return;
    }
    const d = this.byId.get(readU32(datagram, 4));
    if (!d?.session) return;
    const opened = d.session.open(datagram);
    if (!opened.ok) return;
    if (this.running) {
      this.checkIns++;
      this.rtts.push(performance.now() - d.sentAt);
      this.checkIn(d);
    }
  }
}
