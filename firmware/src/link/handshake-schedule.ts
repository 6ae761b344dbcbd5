import type { PendingInitiation, TransportSession } from '@keydepot/shared';
import type { Clock } from '../hardware/types.js';
import type { HandshakeInitiator } from './handshake-initiator.js';
import type { LinkLogger } from './link-logger.js';
import type { LinkCounters } from './link-snapshot.js';
import type { LinkSocket } from './link-socket.js';
import { RetryTimer } from './retransmit.js';
import { type Random, type RhythmSettings, retransmitWaits } from './rhythm.js';

export interface HandshakeScheduleDeps {
  readonly clock: Clock;
  readonly socket: LinkSocket;
  readonly initiator: HandshakeInitiator;
  /** The link's current timings (they may change while it runs). */
  readonly rhythm: () => RhythmSettings;
  readonly random: Random;
  readonly log: LinkLogger;
  readonly counters: LinkCounters;
  readonly drop: (reason: string) => void;
}

interface Attempt {
  pending: PendingInitiation;
  readonly retry: RetryTimer;
  /** The pending initiation went out again with a fresh cookie (once per initiation). */
  resentWithCookie: boolean;
}

/**
 * The depot's side of the handshake over time (protocol §6.2, §6.4): one
 * handshake at a time, a new initiation (new key, id and stamp) on every
 * retransmission wait, given up after the last one until the link asks again;
 * a cookie reply answered by sending the same initiation with mac2, once.
 */
export class HandshakeSchedule {
  private attempt: Attempt | null = null;

  constructor(private readonly deps: HandshakeScheduleDeps) {}

  /** A handshake is under way. */
  get active(): boolean {
    return this.attempt !== null;
  }

  /** Starts a handshake unless one is under way. */
  begin(reason: string): void {
    if (this.attempt !== null) return;
    const { clock, socket, initiator, counters, log } = this.deps;
    const initiate = () => {
      const { pending, stamp } = initiator.initiate();
      counters.handshakesSent++;
      log.debug({ reason, stamp, sessionId: pending.localId }, 'handshake initiation');
      socket.send(pending.datagram);
      return pending;
    };
    const retry = new RetryTimer(
      clock,
      retransmitWaits(this.deps.rhythm(), this.deps.random),
      () => {
        if (this.attempt) {
          this.attempt.pending = initiate();
          this.attempt.resentWithCookie = false;
        }
      },
      () => {
        this.attempt = null;
        log.warn({ reason }, 'relay did not answer the handshake; next try at the next check-in');
      },
    );
    this.attempt = { pending: initiate(), retry, resentWithCookie: false };
  }

  stop(): void {
    this.attempt?.retry.cancel();
    this.attempt = null;
  }

  /** The relay's response: the new session, or null (dropped and counted). */
  receiveResponse(datagram: Uint8Array): TransportSession | null {
    if (this.attempt === null) {
      this.deps.drop('unknown-session');
      return null;
    }
    const completed = this.attempt.pending.consumeResponse(datagram, this.deps.clock.monotonicMs());
    if (!completed.ok) {
      this.deps.drop(completed.reason);
      return null;
    }
    this.attempt.retry.cancel();
    this.attempt = null;
    return completed.session;
  }

  /**
   * The relay is under load and ran no Noise on our initiation (protocol §6.4):
   * send the same initiation again at once with the cookie in mac2, once per
   * initiation (a forged reply cannot make the depot send more than that), and
   * keep the cookie for the next initiations.
   */
  receiveCookieReply(datagram: Uint8Array): void {
    const attempt = this.attempt;
    if (attempt === null) {
      this.deps.drop('unknown-session');
      return;
    }
    const opened = attempt.pending.consumeCookieReply(datagram);
    if (!opened.ok) {
      this.deps.drop(opened.reason);
      return;
    }
    this.deps.counters.cookieReplies++;
    this.deps.initiator.keepCookie(opened.cookie);
    if (attempt.resentWithCookie) return;
    attempt.resentWithCookie = true;
    this.deps.log.debug({ sessionId: attempt.pending.localId }, 'relay under load: initiation again with its cookie');
    this.deps.socket.send(attempt.pending.withCookie(opened.cookie));
  }
}
