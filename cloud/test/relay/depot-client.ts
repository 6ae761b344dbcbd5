import dgram from 'node:dgram';
import {
  type CommandFrame,
  type CommandResultFrame,
  CommandStatus,
  type CompartmentStatus,
  type CryptoBackend,
  commandOrder,
  createInitiation,
  type EventFrame,
  EventKind,
  encodeFrames,
  type Frame,
  FrameKind,
  type KeyPair,
  type PendingInitiation,
  randomBytes,
  readU32,
  receiveTransport,
  type StatusFrame,
  type TransportSession,
  toHex,
} from '@keydepot/shared';

export interface TestDepotOptions {
  readonly backend: CryptoBackend;
  readonly keys: KeyPair;
  readonly relayPublicKey: Uint8Array;
  readonly relayPort: number;
  readonly host?: string;
  readonly compartments?: number;
}

/**
 * A small test depot built only from shared/ over a real UDP socket: handshake,
 * check-ins with STATUS, EVENTs and COMMAND_RESULTs, keepalives, and the depot's
 * side of acks and command order. A test tool, not the firmware.
 */
export class TestDepot {
  readonly socket: dgram.Socket;
  session: TransportSession | undefined;
  private readonly sessions = new Map<number, TransportSession>();
  private pending: PendingInitiation | undefined;
  private stamp = Date.now();
  private inbox: Frame[][] = [];
  private responses: Uint8Array[] = [];
  private waiters: (() => void)[] = [];
  /** Every datagram this depot sent, in order (for replay tests). */
  readonly sent: Uint8Array[] = [];
  relayPort: number;
  lastApplied = 0;
  readonly applied: CommandFrame[] = [];
  readonly acks = new Map<string, number>();
  readonly epoch = toHex(randomBytes(8));
  private nextSequence = 1;
  /** Events journaled and not yet acknowledged. */
  readonly outbox: EventFrame[] = [];
  private unsentResults: CommandResultFrame[] = [];
  compartments: CompartmentStatus[];

  private constructor(
    private readonly o: TestDepotOptions,
    socket: dgram.Socket,
  ) {
    this.socket = socket;
    this.relayPort = o.relayPort;
    this.compartments = Array.from({ length: o.compartments ?? 6 }, () => ({
      doorOpen: false,
      keyPresent: true,
      keySensor: true,
      locked: true,
    }));
    socket.on('message', (data) => this.receive(new Uint8Array(data)));
  }

  static async open(o: TestDepotOptions): Promise<TestDepot> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, o.host ?? '127.0.0.1', resolve));
    return new TestDepot(o, socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  sendRaw(datagram: Uint8Array, port = this.relayPort): void {
    this.socket.send(datagram, port, this.o.host ?? '127.0.0.1');
  }

  /** Runs a handshake; resolves true when the response arrived and the session is set. */
  async handshake(timeoutMs = 2_000): Promise<boolean> {
    this.stamp = Math.max(Date.now(), this.stamp + 1);
    const localId = readU32(randomBytes(4), 0);
    this.pending = createInitiation({
      backend: this.o.backend,
      staticKeys: this.o.keys,
      relayPublicKey: this.o.relayPublicKey,
      localId,
      stamp: this.stamp,
    });
    this.responses = [];
    this.sent.push(this.pending.datagram);
    this.sendRaw(this.pending.datagram);
    const ok = await this.waitFor(() => this.responses.length > 0, timeoutMs);
    if (!ok || !this.pending) return false;
    const result = this.pending.consumeResponse(this.responses[0], Date.now());
    if (!result.ok) return false;
    this.session = result.session;
    this.sessions.set(result.session.localId, result.session);
    this.pending = undefined;
    return true;
  }

  /** Seals and sends frames on the current session; returns the datagram. */
  sendFrames(frames: readonly Frame[], port = this.relayPort): Uint8Array {
    if (!this.session) throw new Error('no session');
    const datagram = this.session.seal(encodeFrames(frames));
    this.sent.push(datagram);
    this.sendRaw(datagram, port);
    return datagram;
  }

  /** Journals a new event (it goes out with the next check-in). */
  journal(event: EventKind = EventKind.DoorOpened, compartment = 1, subject = ''): EventFrame {
    const frame: EventFrame = {
      kind: FrameKind.Event,
      epoch: this.epoch,
      sequence: this.nextSequence++,
      timeMs: Date.now(),
      event,
      compartment,
      subject,
    };
    this.outbox.push(frame);
    return frame;
  }

  status(): StatusFrame {
    return {
      kind: FrameKind.Status,
      uptimeSeconds: 10,
      lastCommandId: this.lastApplied,
      outboxSize: this.outbox.length,
      lockoutUntilMs: 0,
      failedAttempts: 0,
      clockKnown: true,
      firmwareVersion: 'test-1.0',
      compartments: this.compartments,
    };
  }

  /** The check-in frames: STATUS, unacknowledged events (up to `maxEvents`), pending results. */
  checkInFrames(maxEvents = 20): Frame[] {
    return [this.status(), ...this.outbox.slice(0, maxEvents), ...this.unsentResults];
  }

  /**
   * Sends a check-in and handles the answer. Resolves the relay's telegrams, or
   * null when nothing came within `timeoutMs`.
   */
  async checkIn(timeoutMs = 2_000, frames = this.checkInFrames()): Promise<Frame[][] | null> {
    const before = this.inbox.length;
    this.sendFrames(frames);
    const ok = await this.waitFor(() => this.inbox.length > before, timeoutMs);
    if (!ok) return null;
    // Replies of more than one telegram arrive back to back.
    await new Promise((r) => setTimeout(r, 20));
    const got = this.inbox.slice(before);
    this.unsentResults = this.unsentResults.filter((r) => !frames.includes(r));
    return got;
  }

  async keepalive(timeoutMs = 2_000): Promise<Frame[][] | null> {
    return this.checkIn(timeoutMs, [{ kind: FrameKind.Keepalive }]);
  }

  /** Telegrams received so far. */
  get received(): readonly Frame[][] {
    return this.inbox;
  }

  /** Waits until `predicate` holds, checking on every datagram and every 10 ms. */
  async waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() >= deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(10, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  private receive(datagram: Uint8Array): void {
    if (datagram[0] === 2) this.responses.push(datagram);
    else {
      const received = receiveTransport(datagram, (id) => this.sessions.get(id), Date.now());
      if (received.ok) {
        this.inbox.push(received.frames);
        for (const frame of received.frames) this.handle(frame);
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private handle(frame: Frame): void {
    if (frame.kind === FrameKind.EventAck) {
      if (frame.epoch !== this.epoch) return;
      this.acks.set(frame.epoch, Math.max(this.acks.get(frame.epoch) ?? 0, frame.sequence));
      for (let i = this.outbox.length - 1; i >= 0; i--)
        if (this.outbox[i].sequence <= frame.sequence) this.outbox.splice(i, 1);
    } else if (frame.kind === FrameKind.Command) {
      const order = commandOrder(frame, this.lastApplied);
      if (order !== 'next') return;
      const expired = frame.notAfterMs !== 0 && frame.notAfterMs < Date.now();
      if (!expired) this.applied.push(frame);
      this.lastApplied = frame.id;
      this.unsentResults.push({
        kind: FrameKind.CommandResult,
        id: frame.id,
        status: expired ? CommandStatus.Expired : CommandStatus.Applied,
        detail: expired ? 'expired' : '',
      });
    }
  }
}
