/** Just enough relay for the demo, built from shared/: handshakes, acks, time and one queued command. */
import {
  type CommandBody,
  type CryptoBackend,
  classifyDatagram,
  type DropReason,
  decodeFrames,
  type Frame,
  FrameKind,
  HandshakeResponder,
  type KeyPair,
  packFrames,
  randomBytes,
  readU32,
  receiveTransport,
  TelegramType,
  type TransportSession,
  toHex,
} from '../../shared/src/index.js';

/** A random 32-bit session id. */
export function randomId(): number {
  return readU32(randomBytes(4), 0);
}

export type RelayOutcome =
  | {
      readonly kind: 'handshake';
      readonly depotPublicKey: Uint8Array;
      readonly stamp: number;
      readonly session: TransportSession;
      readonly response: Uint8Array;
    }
  | {
      readonly kind: 'transport';
      readonly counter: number;
      readonly frames: Frame[];
      readonly replies: { datagram: Uint8Array; frames: Frame[] }[];
    }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail?: string };

/** Just enough relay to answer one depot: handshakes, acks, time, one queued command. */
export class DemoRelay {
  private readonly responder: HandshakeResponder;
  private readonly sessions = new Map<number, TransportSession>();
  private readonly highestStamp = new Map<string, number>();
  /** Commands waiting for the depot, by id. */
  readonly outbox: { id: number; previousId: number; notAfterMs: number; body: CommandBody }[] = [];
  readonly results: Frame[] = [];

  constructor(
    readonly backend: CryptoBackend,
    readonly keys: KeyPair,
  ) {
    this.responder = new HandshakeResponder(backend, keys);
  }

  handle(datagram: Uint8Array): RelayOutcome {
    const shape = classifyDatagram(datagram);
    if (!shape.ok) return { kind: 'drop', reason: shape.reason };
    if (shape.type === TelegramType.HandshakeInitiation) return this.handshake(datagram);
    // The same receive path (and drop order) the real relay and depot use.
    const received = receiveTransport(datagram, (id) => this.sessions.get(id), Date.now());
    if (!received.ok) return { kind: 'drop', reason: received.reason, detail: received.code };
    const { session, counter, frames } = received;
    const replies = packFrames(this.answer(frames)).map((plaintext) => ({
      datagram: session.seal(plaintext),
      frames: decodeFrames(plaintext),
    }));
    return { kind: 'transport', counter, frames, replies };
  }

  private handshake(datagram: Uint8Array): RelayOutcome {
    const opened = this.responder.openInitiation(datagram);
    if (!opened.ok) return { kind: 'drop', reason: opened.reason };
    const depot = toHex(opened.depotPublicKey);
    const highest = this.highestStamp.get(depot) ?? -1;
    if (opened.stamp <= highest) {
      return { kind: 'drop', reason: 'stale-stamp', detail: `stamp ${opened.stamp} is not above ${highest}` };
    }
    const answered = opened.respond(randomId(), Date.now());
    if (!answered.ok) return { kind: 'drop', reason: answered.reason };
    this.highestStamp.set(depot, opened.stamp);
    this.sessions.set(answered.session.localId, answered.session);
    return {
      kind: 'handshake',
      depotPublicKey: opened.depotPublicKey,
      stamp: opened.stamp,
      session: answered.session,
      response: answered.datagram,
    };
  }

  /** Every reply carries TIME; events get an ack; a check-in gets the commands the depot has not applied. */
  private answer(frames: readonly Frame[]): Frame[] {
    const reply: Frame[] = [];
    const events = frames.filter((f) => f.kind === FrameKind.Event);
    const last = events.at(-1);
    if (last) reply.push({ kind: FrameKind.EventAck, epoch: last.epoch, sequence: last.sequence });
    reply.push({ kind: FrameKind.Time, nowMs: Date.now() });
    for (const frame of frames) {
      if (frame.kind === FrameKind.Status) {
        for (const command of this.outbox) {
          if (command.id > frame.lastCommandId) reply.push({ kind: FrameKind.Command, ...command });
        }
      }
      if (frame.kind === FrameKind.CommandResult) {
        this.results.push(frame);
        const index = this.outbox.findIndex((c) => c.id === frame.id);
        if (index >= 0) this.outbox.splice(index, 1);
      }
    }
    return reply;
  }
}
