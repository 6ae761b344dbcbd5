import {
  type CommandResultFrame,
  type Frame,
  FrameKind,
  packFrames,
  REHANDSHAKE_AFTER_UNANSWERED_CHECK_INS,
  type TransportSession,
} from '@keydepot/shared';
import type { Clock, Timer } from '../hardware/types.js';
import { CarriedFrames } from './carried-frames.js';
import type { DepotPort } from './depot-port.js';
import type { LinkLogger } from './link-logger.js';
import type { LinkCounters } from './link-snapshot.js';
import type { LinkSocket } from './link-socket.js';
import { carriesUplink, fillTelegram, type TelegramContents, type TelegramPurpose } from './outbox-drain.js';
import { RetryTimer } from './retransmit.js';
import { checkInDelay, keepaliveDelay, type Random, type RhythmSettings, retransmitWaits } from './rhythm.js';

export interface ExchangeScheduleDeps {
  readonly clock: Clock;
  readonly socket: LinkSocket;
  readonly depot: DepotPort;
  /** The link's current timings (they may change while it runs). */
  readonly rhythm: () => RhythmSettings;
  readonly random: Random;
  readonly log: LinkLogger;
  readonly counters: LinkCounters;
  /** Asked before each keepalive is armed: the depot's CONFIG `keepalive` switch. */
  readonly keepaliveEnabled?: () => boolean;
  readonly running: () => boolean;
  /** The session is there (to send on or not: a drain without one waits for the next check-in). */
  readonly hasSession: () => boolean;
  /** A session to send on, starting a handshake when one is due; null while there is none. */
  readonly usableSession: () => TransportSession | null;
  /** Too many exchanges in a row went unanswered: the link starts a new handshake. */
  readonly rehandshake: (reason: string) => void;
}

interface Exchange {
  readonly purpose: TelegramPurpose;
  readonly contents: TelegramContents;
  readonly retry: RetryTimer;
  /** When it was first sent (monotonic ms): the round trip of an answer to it is measured from here. */
  readonly sentAtMs: number;
}

/**
 * The depot's telegrams over time (protocol §10): a check-in every 60 s ± 5 s,
 * a keepalive after 20-25 s without sending, one telegram in flight,
 * retransmitted as new telegrams with doubling waits; the outbox drained
 * telegram by telegram; relay frames handed to the depot in order. Events and
 * results on their way (carried less than T₀ ago) are not carried again by
 * the next telegram, which matters when pushes "answer" telegrams early
 * (carried-frames.ts).
 */
export class ExchangeSchedule {
  private exchange: Exchange | null = null;
  private checkInDue = false;
  private drainDue = false;
  private unansweredCount = 0;
  private checkInTimer: Timer | null = null;
  private keepaliveTimer: Timer | null = null;
  private flushTimer: Timer | null = null;
  /** Wakes the link when held frames are due again (their telegram got no ack within T₀). */
  private heldTimer: { timer: Timer; atMs: number } | null = null;
  /** Results `receiveCommand` gave for repeated commands: sent again until a telegram carrying them is answered. */
  private readonly repeatedResults = new Map<number, CommandResultFrame>();
  /** Events and results on their way: carried by a telegram sent less than T₀ ago. */
  private readonly carried = new CarriedFrames();
  /** Send time of the newest telegram the relay has proven it received (an EVENT_ACK covered its events). */
  private provenSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: ExchangeScheduleDeps) {}

  get inFlight(): TelegramPurpose | null {
    return this.exchange?.purpose ?? null;
  }

  /** Exchanges in a row that got no answer. */
  get unanswered(): number {
    return this.unansweredCount;
  }

  /** At boot: the first telegram on the first session is a check-in. */
  markCheckInDue(): void {
    this.checkInDue = true;
  }

  scheduleCheckIn(): void {
    this.checkInTimer = this.deps.clock.after(checkInDelay(this.deps.rhythm(), this.deps.random), () => {
      this.scheduleCheckIn();
      this.request('check-in');
    });
  }

  /** Cancels every timer. An unanswered telegram is simply left: its frames stay pending. */
  stop(): void {
    for (const timer of [this.checkInTimer, this.keepaliveTimer, this.flushTimer, this.heldTimer?.timer])
      timer?.cancel();
    this.checkInTimer = this.keepaliveTimer = this.flushTimer = this.heldTimer = null;
    this.exchange?.retry.cancel();
    this.exchange = null;
  }

  /** Fresh journal events: send them soon, so the portal sees movements within a second. */
  notifyJournaled(): void {
    if (!this.deps.running() || this.flushTimer !== null) return;
    this.flushTimer = this.deps.clock.after(this.deps.rhythm().journalFlushMs, () => {
      this.flushTimer = null;
      // Offline, fresh events wait for the next check-in's handshake attempt rather than spamming initiations.
      if (this.deps.hasSession()) this.request('drain');
    });
  }

  /**
   * A new session is established: what the old one carried may never arrive, so
   * a fresh check-in on the new session carries it all again. It also tells the
   * relay we have the response.
   */
  restartOnNewSession(): void {
    this.unansweredCount = 0;
    this.carried.clear();
    this.exchange?.retry.cancel();
    this.exchange = null;
    this.request('check-in');
  }

  request(purpose: TelegramPurpose): void {
    if (!this.deps.running()) return;
    if (purpose === 'check-in') this.checkInDue = true;
    else this.drainDue = true;
    if (this.exchange !== null) return;
    if (this.deps.usableSession() === null) return;
    const checkIn = this.checkInDue;
    this.checkInDue = this.drainDue = false;
    this.sendExchange(checkIn ? 'check-in' : purpose);
  }

  /** An authenticated relay telegram: it answers the exchange in flight, and its frames go to the depot. */
  answered(frames: readonly Frame[]): void {
    const { depot, clock, counters } = this.deps;
    const exchange = this.exchange;
    exchange?.retry.cancel();
    this.exchange = null;
    this.unansweredCount = 0;
    counters.telegramsReceived++;
    counters.lastAnswerWallMs = clock.wallMs();
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
        counters.commandsReceived++;
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

  private scheduleKeepalive(): void {
    this.keepaliveTimer?.cancel();
    this.keepaliveTimer = null;
    const delay = keepaliveDelay(this.deps.rhythm(), this.deps.random);
    if (delay === null || this.deps.keepaliveEnabled?.() === false) return;
    this.keepaliveTimer = this.deps.clock.after(delay, () => {
      this.keepaliveTimer = null;
      if (this.deps.hasSession()) this.request('keepalive');
    });
  }

  private sendExchange(purpose: TelegramPurpose): void {
    const { clock, counters } = this.deps;
    const now = clock.monotonicMs();
    this.carried.forgetDue(now);
    const contents = fillTelegram(this.deps.depot, purpose, {
      repeatedResults: [...this.repeatedResults.values()],
      held: (frame) => this.carried.isHeld(frame, now),
    });
    if (contents.heldBack > 0) this.wakeWhenHeldAreDue();
    // A drain with nothing new to carry is not sent: it would only echo what is on its way, and every
    // telegram draws an answer that would start the next drain (one more ping-pong per push).
    if (purpose === 'drain' && !carriesUplink(contents)) return;
    const waits = retransmitWaits(this.deps.rhythm(), this.deps.random);
    const retry = new RetryTimer(
      clock,
      waits,
      () => {
        counters.retransmissions++;
        this.transmit(contents.frames);
        const at = clock.monotonicMs();
        this.carried.carry(contents.frames, at, at + waits[0]);
      },
      () => this.giveUp(),
    );
    this.exchange = { purpose, contents, retry, sentAtMs: now };
    this.carried.carry(contents.frames, now, now + waits[0]);
    if (purpose === 'check-in') {
      counters.checkIns++;
      counters.lastCheckInWallMs = clock.wallMs();
    }
    this.transmit(contents.frames);
  }

  /** Seals the frames into a new telegram (new counter) on the current session and sends it. */
  private transmit(frames: readonly Frame[]): void {
    const session = this.deps.usableSession();
    if (session === null) return;
    const [plaintext] = packFrames(frames);
    this.deps.socket.send(session.seal(plaintext));
    this.deps.counters.telegramsSent++;
    this.scheduleKeepalive();
  }

  private giveUp(): void {
    const given = this.exchange;
    this.exchange = null;
    this.unansweredCount++;
    this.deps.counters.exchangesGivenUp++;
    // Back to the normal rhythm: what was due waits for the next check-in.
    this.checkInDue = this.drainDue = false;
    this.deps.log.warn({ purpose: given?.purpose, unanswered: this.unansweredCount }, 'no answer from the relay');
    if (this.unansweredCount >= REHANDSHAKE_AFTER_UNANSWERED_CHECK_INS) this.deps.rehandshake('silence');
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
    const now = this.deps.clock.monotonicMs();
    this.heldTimer = {
      atMs,
      timer: this.deps.clock.after(Math.max(0, atMs - now) + 1, () => {
        this.heldTimer = null;
        if (this.deps.hasSession()) this.request('drain');
      }),
    };
  }
}
