import {
  type CommandResultFrame,
  type CryptoBackend,
  classifyDatagram,
  type Frame,
  FrameKind,
  type KeyPair,
  packFrames,
  REHANDSHAKE_AFTER_UNANSWERED_CHECK_INS,
  receiveTransport,
  TelegramType,
  type TransportSession,
} from '@keydepot/shared';
import type { Clock, Timer } from '../hardware/types.js';
import { CarriedFrames } from './carried-frames.js';
import type { DepotPort } from './depot-port.js';
import { HandshakeInitiator } from './handshake-initiator.js';
import type { LinkLogger } from './link-logger.js';
import { silentLogger } from './link-logger.js';
import { type LinkCounters, type LinkSnapshot, newCounters } from './link-snapshot.js';
import type { LinkSocket } from './link-socket.js';
import { carriesUplink, fillTelegram, type TelegramContents, type TelegramPurpose } from './outbox-drain.js';
import { RetryTimer } from './retransmit.js';
import {
  checkInDelay,
  DEFAULT_RHYTHM,
  keepaliveDelay,
  type Random,
  type RhythmSettings,
  retransmitWaits,
} from './rhythm.js';
import type { StampStore } from './stamp-store.js';

export interface LinkOptions {
  readonly backend: CryptoBackend;
  /** The depot's static key pair (from depot.key). */
  readonly staticKeys: KeyPair;
  readonly relayPublicKey: Uint8Array;
  readonly socket: LinkSocket;
  readonly clock: Clock;
  readonly depot: DepotPort;
  readonly stamps: StampStore;
  readonly rhythm?: Partial<RhythmSettings>;
  readonly random?: Random;
  readonly logger?: LinkLogger;
  /** Asked before each keepalive is armed: the depot's CONFIG `keepalive` switch (rhythm.keepalive null = never). */
  readonly keepaliveEnabled?: () => boolean;
}

interface Exchange {
  readonly purpose: TelegramPurpose;
  readonly contents: TelegramContents;
  readonly retry: RetryTimer;
  /** When it was first sent (monotonic ms): the round trip of an answer to it is measured from here. */
  readonly sentAtMs: number;
}

/**
 * The depot's link to the relay (protocol §9, §10): a Noise IK session made at
 * boot, on expiry and after silence; a check-in every 60 s ± 5 s; a keepalive
 * after 20-25 s without sending; one telegram in flight, retransmitted as new
 * telegrams with doubling waits; the outbox drained telegram by telegram; relay
 * frames handed to the depot in order. Events and results on their way (carried
 * less than T₀ ago) are not carried again by the next telegram, which matters
 * when pushes "answer" telegrams early (carried-frames.ts). Every wait goes
 * through the Clock.
 */
export class Link {
  private rhythm: RhythmSettings;
  private readonly random: Random;
  private readonly log: LinkLogger;
  private readonly initiator: HandshakeInitiator;
  private session: TransportSession | null = null;
  /** The session before a rekey: the relay may still answer on it until it hears us on the new one. */
  private previous: TransportSession | null = null;
  private handshake: { pending: ReturnType<HandshakeInitiator['initiate']>['pending']; retry: RetryTimer } | null =
    null;
  private exchange: Exchange | null = null;
  private checkInDue = false;
  private drainDue = false;
  /** A compartment's lock, door or key changed without an event (a relock): the next drain must carry STATUS. */
  private statusDue = false;
  private unanswered = 0;
  private checkInTimer: Timer | null = null;
  private keepaliveTimer: Timer | null = null;
  private flushTimer: Timer | null = null;
  /** Wakes the link when held frames are due again (their telegram got no ack within T₀). */
  private heldTimer: { timer: Timer; atMs: number } | null = null;
  private running = false;
  private readonly counters: LinkCounters = newCounters();
  /** Results `receiveCommand` gave for repeated commands: sent again until a telegram carrying them is answered. */
  private readonly repeatedResults = new Map<number, CommandResultFrame>();
  /** Events and results on their way: carried by a telegram sent less than T₀ ago. */
  private readonly carried = new CarriedFrames();
  /** Send time of the newest telegram the relay has proven it received (an EVENT_ACK covered its events). */
  private provenSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: LinkOptions) {
    this.rhythm = { ...DEFAULT_RHYTHM, ...options.rhythm };
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? silentLogger;
    this.initiator = new HandshakeInitiator({
      backend: options.backend,
      staticKeys: options.staticKeys,
      relayPublicKey: options.relayPublicKey,
      stamps: options.stamps,
      wallMs: () => options.clock.wallMs(),
    });
  }

  /** Changes timings from the next wait on (the simulator's load mode changes its speed-up mid-run). */
  setRhythm(rhythm: Partial<RhythmSettings>): void {
    this.rhythm = { ...this.rhythm, ...rhythm };
  }

  /** Starts with a new handshake: no session or counter survives a reboot (protocol §9). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.socket.onMessage((datagram) => {
      try {
        this.receive(datagram);
      } catch (error) {
        // A failing store call must not kill the daemon from inside a socket callback; what was
        // not committed stays pending and comes again with the next exchange.
        this.log.error({ err: error }, 'handling a relay telegram failed');
      }
    });
    this.checkInDue = true;
    this.beginHandshake('boot');
    this.scheduleCheckIn();
  }

  /** Cancels every timer; the caller closes the socket. An unanswered telegram is simply left: its frames stay pending. */
  stop(): void {
    this.running = false;
    for (const timer of [this.checkInTimer, this.keepaliveTimer, this.flushTimer, this.heldTimer?.timer])
      timer?.cancel();
    this.checkInTimer = this.keepaliveTimer = this.flushTimer = this.heldTimer = null;
    this.exchange?.retry.cancel();
    this.exchange = null;
    this.handshake?.retry.cancel();
    this.handshake = null;
  }

  /** Fresh journal events: send them soon, so the portal sees movements within a second. */
  notifyJournaled(): void {
    if (!this.running || this.flushTimer !== null) return;
    this.flushTimer = this.options.clock.after(this.rhythm.journalFlushMs, () => {
      this.flushTimer = null;
      // Offline, fresh events wait for the next check-in's handshake attempt rather than spamming initiations.
      if (this.session !== null) this.request('drain');
    });
  }

  /**
   * The depot's state changed without a journal event (the lock closed after
   * its pulse): send a drain even with no event in it, else the portal shows
   * the compartment unlocked until the next check-in.
   */
  notifyStatusChanged(): void {
    this.statusDue = true;
    this.notifyJournaled();
  }

  /** What `keydepot-depot status` shows and the simulator inspects. */
  snapshot(): LinkSnapshot {
    const now = this.options.clock.monotonicMs();
    return {
      session:
        this.session === null ? (this.handshake ? 'handshaking' : 'none') : this.handshake ? 'rekeying' : 'established',
      sessionAgeMs: this.session === null ? null : now - this.session.establishedAtMs,
      inFlight: this.exchange?.purpose ?? null,
      unansweredExchanges: this.unanswered,
      ...this.counters,
      drops: { ...this.counters.drops },
    };
  }

  private scheduleCheckIn(): void {
    this.checkInTimer = this.options.clock.after(checkInDelay(this.rhythm, this.random), () => {
      this.scheduleCheckIn();
      this.request('check-in');
    });
  }

  private scheduleKeepalive(): void {
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
    const delay = keepaliveDelay(this.rhythm, this.random);
    if (delay === null || this.options.keepaliveEnabled?.() === false) return;
    this.keepaliveTimer = this.options.clock.after(delay, () => {
      this.keepaliveTimer = null;
      if (this.session !== null) this.request('keepalive');
    });
  }

  /** A session we may send on, starting a handshake when it is due (it keeps the old one meanwhile). */
  private usableSession(): TransportSession | null {
    const now = this.options.clock.monotonicMs();
    if (this.session?.isExpired(now)) {
      this.log.info({ sessionId: this.session.localId }, 'session expired');
      this.previous = this.session = null;
    }
    if (this.session === null) this.beginHandshake('no session');
    else if (this.session.needsRekey(now)) this.beginHandshake('rekey');
    return this.session;
  }

  private request(purpose: TelegramPurpose): void {
    if (!this.running) return;
    if (purpose === 'check-in') this.checkInDue = true;
    else this.drainDue = true;
    if (this.exchange !== null) return;
    if (this.usableSession() === null) return;
    const checkIn = this.checkInDue;
    this.checkInDue = this.drainDue = false;
    this.sendExchange(checkIn ? 'check-in' : purpose);
  }

  private sendExchange(purpose: TelegramPurpose): void {
    const now = this.options.clock.monotonicMs();
    this.carried.forgetDue(now);
    const contents = fillTelegram(this.options.depot, purpose, {
      repeatedResults: [...this.repeatedResults.values()],
      held: (frame) => this.carried.isHeld(frame, now),
    });
    if (contents.heldBack > 0) this.wakeWhenHeldAreDue();
    // A drain with nothing new to carry is not sent: it would only echo what is on its way, and every
    // telegram draws an answer that would start the next drain (one more ping-pong per push).
    if (purpose === 'drain' && !carriesUplink(contents) && !this.statusDue) return;
    if (purpose !== 'keepalive') this.statusDue = false;
    const waits = retransmitWaits(this.rhythm, this.random);
    const retry = new RetryTimer(
      this.options.clock,
      waits,
      () => {
        this.counters.retransmissions++;
        this.transmit(contents.frames);
        const at = this.options.clock.monotonicMs();
        this.carried.carry(contents.frames, at, at + waits[0]);
      },
      () => this.giveUp(),
    );
    this.exchange = { purpose, contents, retry, sentAtMs: now };
    this.carried.carry(contents.frames, now, now + waits[0]);
    if (purpose === 'check-in') {
      this.counters.checkIns++;
      this.counters.lastCheckInWallMs = this.options.clock.wallMs();
    }
    this.transmit(contents.frames);
  }

  /** Seals the frames into a new telegram (new counter) on the current session and sends it. */
  private transmit(frames: readonly Frame[]): void {
    const session = this.usableSession();
    if (session === null) return;
    const [plaintext] = packFrames(frames);
    this.options.socket.send(session.seal(plaintext));
    this.counters.telegramsSent++;
    this.scheduleKeepalive();
  }

  private giveUp(): void {
    const given = this.exchange;
    this.exchange = null;
    this.unanswered++;
    this.counters.exchangesGivenUp++;
    // Back to the normal rhythm: what was due waits for the next check-in.
    this.checkInDue = this.drainDue = false;
    this.log.warn({ purpose: given?.purpose, unanswered: this.unanswered }, 'no answer from the relay');
    if (this.unanswered >= REHANDSHAKE_AFTER_UNANSWERED_CHECK_INS) this.beginHandshake('silence');
  }

  private beginHandshake(reason: string): void {
    if (this.handshake !== null || !this.running) return;
    const attempt = () => {
      const { pending, stamp } = this.initiator.initiate();
      this.counters.handshakesSent++;
      this.log.debug({ reason, stamp, sessionId: pending.localId }, 'handshake initiation');
      this.options.socket.send(pending.datagram);
      return pending;
    };
    const retry = new RetryTimer(
      this.options.clock,
      retransmitWaits(this.rhythm, this.random),
      () => {
        if (this.handshake) this.handshake.pending = attempt();
      },
      () => {
        this.handshake = null;
        this.log.warn({ reason }, 'relay did not answer the handshake; next try at the next check-in');
      },
    );
    this.handshake = { pending: attempt(), retry };
  }

  private receive(datagram: Uint8Array): void {
    if (!this.running) return;
    this.counters.datagramsReceived++;
    const shape = classifyDatagram(datagram);
    if (!shape.ok) {
      this.drop(shape.reason);
      return;
    }
    if (shape.type === TelegramType.HandshakeResponse) {
      this.receiveResponse(datagram);
      return;
    }
    if (shape.type !== TelegramType.Transport) {
      this.drop('type');
      return;
    }
    const now = this.options.clock.monotonicMs();
    const received = receiveTransport(
      datagram,
      (id) => (this.session?.localId === id ? this.session : this.previous?.localId === id ? this.previous : undefined),
      now,
    );
    if (!received.ok) {
      this.drop(received.reason);
      return;
    }
    this.answered(received.frames);
  }

  private receiveResponse(datagram: Uint8Array): void {
    if (this.handshake === null) {
      this.drop('unknown-session');
      return;
    }
    const completed = this.handshake.pending.consumeResponse(datagram, this.options.clock.monotonicMs());
    if (!completed.ok) {
      this.drop(completed.reason);
      return;
    }
    this.handshake.retry.cancel();
    this.handshake = null;
    this.previous = this.session;
    this.session = completed.session;
    this.unanswered = 0;
    this.counters.sessionsEstablished++;
    // What the old session carried may never arrive: the fresh check-in carries it all again.
    this.carried.clear();
    this.log.info({ sessionId: completed.session.localId, relayId: completed.session.remoteId }, 'session established');
    // A fresh check-in on the new session: it tells the relay we have the response, and it carries
    // everything an unanswered telegram on the old session carried (its frames are still pending).
    this.exchange?.retry.cancel();
    this.exchange = null;
    this.request('check-in');
  }

  private answered(frames: readonly Frame[]): void {
    const { depot, clock } = this.options;
    const exchange = this.exchange;
    exchange?.retry.cancel();
    this.exchange = null;
    this.unanswered = 0;
    this.counters.telegramsReceived++;
    this.counters.lastAnswerWallMs = clock.wallMs();
    // The relay stores what it receives before it answers (protocol §10, §12.6).
    if (exchange && exchange.contents.resultIds.length > 0) {
      depot.confirmResults(exchange.contents.resultIds);
      for (const id of exchange.contents.resultIds) this.repeatedResults.delete(id);
    }
    let results = 0;
    let acked = false;
    // Results carried by the telegram this one answers: a repeat of their command in it crossed them.
    const crossed = new Set(exchange?.contents.resultIds ?? []);
    for (const frame of frames) {
      if (frame.kind === FrameKind.Time) depot.setTime(frame.nowMs);
      else if (frame.kind === FrameKind.EventAck) {
        this.noteProof(frame);
        depot.acknowledgeEvents(frame.epoch, frame.sequence);
        acked = true;
      } else if (frame.kind === FrameKind.Command) {
        this.counters.commandsReceived++;
        const result = depot.receiveCommand(frame);
        if (result === undefined) continue;
        if (depot.pendingResults().some((pending) => pending.id === result.id)) results++;
        // A repeat that crossed our result is not answered again: the telegram this one answers carried
        // the result, or a telegram sent less than T₀ ago carried it with events and the relay's
        // EVENT_ACK for them (its real answer) has not come yet, so the relay sent the command before
        // our result could reach it. If the result was lost after all, the relay carries the command
        // again, and that repeat is answered at once.
        else if (!crossed.has(result.id) && !this.crossedOurResult(result)) {
          this.carried.release(result);
          this.repeatedResults.set(result.id, result);
          results++;
        }
      }
    }
    // Results go back at once; after an ack, the events not yet on their way follow (a drain with
    // nothing new to carry is not sent).
    const eventsWaiting = acked && depot.pendingEvents(1).length > 0;
    if (results > 0 || this.drainDue || this.checkInDue || eventsWaiting) this.request('drain');
  }

  /** An EVENT_ACK covering an event carried less than T₀ ago proves the relay received that telegram. */
  private noteProof(ack: { epoch: string; sequence: number }): void {
    const sentAt = this.carried.eventSentAtMs(ack.epoch, ack.sequence);
    if (sentAt !== undefined && sentAt > this.provenSentAtMs) this.provenSentAtMs = sentAt;
  }

  private crossedOurResult(result: CommandResultFrame): boolean {
    const last = this.carried.lastCarriage(result);
    return last?.withEvents === true && last.sentAtMs > this.provenSentAtMs;
  }

  /** Arms one timer for the earliest moment a held frame may be carried again. */
  private wakeWhenHeldAreDue(): void {
    const atMs = this.carried.earliestDeadline();
    if (atMs === undefined || (this.heldTimer !== null && this.heldTimer.atMs <= atMs)) return;
    this.heldTimer?.timer.cancel();
    const now = this.options.clock.monotonicMs();
    this.heldTimer = {
      atMs,
      timer: this.options.clock.after(Math.max(0, atMs - now) + 1, () => {
        this.heldTimer = null;
        if (this.session !== null) this.request('drain');
      }),
    };
  }

  private drop(reason: string): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
  }
}
