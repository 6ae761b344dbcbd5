/**
 * The protocol half of the firmware tests' relay, without any socket: a
 * datagram goes in, answers come out. Built from shared/ only, modelled on
 * scripts/demo/relay.ts: handshakes with the stamp check, sessions, events
 * stored once per (epoch, sequence) while every receipt is counted, cumulative
 * acks, TIME first in every answer, a command queue carried on every reply.
 */
import {
  type CommandBody,
  type CommandFrame,
  type CommandResultFrame,
  CookieChecker,
  type CryptoBackend,
  classifyDatagram,
  type EventFrame,
  type Frame,
  FrameKind,
  HandshakeResponder,
  type KeyPair,
  packFrames,
  randomBytes,
  readU32,
  receiveTransport,
  type StatusFrame,
  TelegramType,
  type TransportSession,
} from '@keydepot/shared';

export interface RelayCoreOptions {
  readonly backend: CryptoBackend;
  readonly keys: KeyPair;
  /** The relay's wall clock for TIME frames. */
  readonly wallMs?: () => number;
  /** The clock sessions age by (any monotonic ms). */
  readonly monotonicMs?: () => number;
}

/** A queued command as the test wrote it: the test may give previousId itself (out-of-order tests). */
export interface QueuedCommand {
  readonly id: number;
  readonly previousId: number;
  readonly notAfterMs: number;
  readonly body: CommandBody;
}

export class RelayCore {
  private readonly responder: HandshakeResponder;
  private readonly cookies: CookieChecker;
  /**
   * Under load (protocol §6.4): an initiation without a valid cookie in mac2 gets a cookie reply.
   * 'always' refuses every cookie too (the relay lost its secret, or a forged reply reached the depot).
   */
  underLoad: false | true | 'always' = false;
  cookieReplies = 0;
  private readonly sessions = new Map<number, TransportSession>();
  private readonly wallMs: () => number;
  private readonly monotonicMs: () => number;
  /** Every stamp accepted, in order of arrival: must grow strictly. */
  readonly stamps: number[] = [];
  /** Stored events by epoch, then by sequence: the first copy of each. */
  readonly events = new Map<string, Map<number, EventFrame>>();
  /** Every EVENT frame received, duplicates included. */
  receipts = 0;
  /** (epoch, sequence) of each event in the order it was first stored: must be oldest first. */
  readonly storedOrder: { epoch: string; sequence: number }[] = [];
  duplicates = 0;
  /** Duplicates whose content differs from the stored copy: a sequence reused for another event. */
  conflicts = 0;
  readonly statuses: StatusFrame[] = [];
  readonly results: CommandResultFrame[] = [];
  readonly queue: QueuedCommand[] = [];
  /** Every telegram's frames in arrival order (tests look at check-ins and keepalives). */
  readonly received: Frame[][] = [];
  readonly drops = new Map<string, number>();
  /** While false, the relay takes nothing in and answers nothing: an outage. */
  online = true;
  /** While false, initiations are dropped but sessions keep working (a relay that cannot rekey). */
  acceptHandshakes = true;
  /** Id the depot's last check-in or result says it has applied. */
  lastAppliedId = 0;
  private nextCommandId = 1;
  private readonly acked = new Map<string, number>();

  constructor(options: RelayCoreOptions) {
    this.responder = new HandshakeResponder(options.backend, options.keys);
    this.cookies = new CookieChecker(options.backend, options.keys.publicKey);
    this.wallMs = options.wallMs ?? Date.now;
    this.monotonicMs = options.monotonicMs ?? Date.now;
  }

  /** Queues a command with the next id; previousId is the last queued one's id (the cloud's rule). */
  queueCommand(body: CommandBody, notAfterMs = 0): QueuedCommand {
    const previousId = this.nextCommandId - 1;
    const command = { id: this.nextCommandId++, previousId, notAfterMs, body };
    this.queue.push(command);
    return command;
  }

  /** Queues a command exactly as given (duplicate and out-of-order tests). */
  queueRaw(command: QueuedCommand): void {
    this.queue.push(command);
    this.nextCommandId = Math.max(this.nextCommandId, command.id + 1);
  }

  /** The stored events of one epoch, by sequence, as a sorted list of sequences. */
  sequences(epoch: string): number[] {
    return [...(this.events.get(epoch)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** A telegram from the depot; returns the datagrams to send back (empty = silent drop). */
  handle(datagram: Uint8Array): Uint8Array[] {
    if (!this.online) return [];
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return this.drop(shape.reason);
    if (shape.type === TelegramType.HandshakeInitiation) {
      return this.acceptHandshakes ? this.handshake(datagram) : this.drop('handshake');
    }
    const received = receiveTransport(datagram, (id) => this.sessions.get(id), this.monotonicMs());
    if (!received.ok) return this.drop(received.reason);
    this.received.push(received.frames);
    const reply = this.take(received.frames);
    return packFrames(reply).map((plaintext) => received.session.seal(plaintext));
  }

  /**
   * A push on the newest session: TIME, then the pending commands, or exactly
   * `commands` in the order given (tests of reordered telegrams).
   */
  pushDatagrams(commands?: readonly QueuedCommand[]): Uint8Array[] {
    const session = [...this.sessions.values()].at(-1);
    if (session === undefined) return [];
    const carried = commands?.map((c): CommandFrame => ({ kind: FrameKind.Command, ...c })) ?? this.pendingCommands();
    const frames: Frame[] = [{ kind: FrameKind.Time, nowMs: this.wallMs() }, ...carried];
    return packFrames(frames).map((plaintext) => session.seal(plaintext));
  }

  private handshake(datagram: Uint8Array): Uint8Array[] {
    // One depot per harness: its source is a constant here.
    const now = this.monotonicMs();
    const admit = () =>
      this.underLoad === false || (this.underLoad === true && this.cookies.mac2Verifies(datagram, 'depot', now));
    const opened = this.responder.openInitiation(datagram, admit);
    if (!opened.ok && opened.reason === 'rate-limit') {
      this.cookieReplies++;
      return [this.cookies.reply(datagram, 'depot', now)];
    }
    if (!opened.ok) return this.drop(opened.reason);
    const highest = this.stamps.at(-1) ?? -1;
    if (opened.stamp <= highest) return this.drop('stale-stamp');
    const answered = opened.respond(readU32(randomBytes(4), 0), this.monotonicMs());
    if (!answered.ok) return this.drop(answered.reason);
    this.stamps.push(opened.stamp);
    this.sessions.set(answered.session.localId, answered.session);
    return [answered.datagram];
  }

  private take(frames: readonly Frame[]): Frame[] {
    const epochs = new Set<string>();
    for (const frame of frames) {
      if (frame.kind === FrameKind.Event) {
        this.receipts++;
        epochs.add(frame.epoch);
        const stored = this.events.get(frame.epoch) ?? new Map<number, EventFrame>();
        this.events.set(frame.epoch, stored);
        const earlier = stored.get(frame.sequence);
        if (earlier) {
          this.duplicates++;
          if (JSON.stringify(earlier) !== JSON.stringify(frame)) this.conflicts++;
        } else {
          stored.set(frame.sequence, frame);
          this.storedOrder.push({ epoch: frame.epoch, sequence: frame.sequence });
        }
      } else if (frame.kind === FrameKind.Status) {
        this.statuses.push(frame);
        this.lastAppliedId = Math.max(this.lastAppliedId, frame.lastCommandId);
      } else if (frame.kind === FrameKind.CommandResult) {
        this.results.push(frame);
        this.lastAppliedId = Math.max(this.lastAppliedId, frame.id);
        const index = this.queue.findIndex((command) => command.id === frame.id);
        if (index >= 0) this.queue.splice(index, 1);
      }
    }
    const reply: Frame[] = [{ kind: FrameKind.Time, nowMs: this.wallMs() }];
    for (const epoch of epochs) {
      const acked = this.contiguous(epoch);
      if (acked > 0) reply.push({ kind: FrameKind.EventAck, epoch, sequence: acked });
    }
    reply.push(...this.pendingCommands());
    return reply;
  }

  private pendingCommands(): CommandFrame[] {
    return this.queue
      .filter((command) => command.id > this.lastAppliedId)
      .sort((a, b) => a.id - b.id)
      .map((command) => ({ kind: FrameKind.Command, ...command }));
  }

  /** The highest s such that every sequence 1..s of the epoch is stored (the cumulative ack). */
  private contiguous(epoch: string): number {
    const stored = this.events.get(epoch);
    let s = this.acked.get(epoch) ?? 0;
    while (stored?.has(s + 1)) s++;
    this.acked.set(epoch, s);
    return s;
  }

  private drop(reason: string): Uint8Array[] {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    return [];
  }
}
