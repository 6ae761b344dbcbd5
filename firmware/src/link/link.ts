import {
  type CryptoBackend,
  classifyDatagram,
  type KeyPair,
  receiveTransport,
  TelegramType,
  type TransportSession,
} from '@keydepot/shared';
import type { Clock } from '../hardware/types.js';
import type { DepotPort } from './depot-port.js';
import { ExchangeSchedule } from './exchange-schedule.js';
import { HandshakeInitiator } from './handshake-initiator.js';
import { HandshakeSchedule } from './handshake-schedule.js';
import type { LinkLogger } from './link-logger.js';
import { silentLogger } from './link-logger.js';
import { type LinkCounters, type LinkSnapshot, newCounters } from './link-snapshot.js';
import type { LinkSocket } from './link-socket.js';
import { DEFAULT_RHYTHM, type Random, type RhythmSettings } from './rhythm.js';
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

/**
 * The depot's link to the relay (protocol §9, §10): a Noise IK session made at
 * boot, on expiry and after silence (handshake-schedule.ts), and the telegrams
 * sent on it (exchange-schedule.ts). The link holds the session and the one
 * before a rekey, and routes what arrives. Every wait goes through the Clock.
 */
export class Link {
  private rhythm: RhythmSettings;
  private readonly log: LinkLogger;
  private readonly handshakes: HandshakeSchedule;
  private readonly exchanges: ExchangeSchedule;
  private session: TransportSession | null = null;
  /** The session before a rekey: the relay may still answer on it until it hears us on the new one. */
  private previous: TransportSession | null = null;
  private running = false;
  private readonly counters: LinkCounters = newCounters();

  constructor(private readonly options: LinkOptions) {
    this.rhythm = { ...DEFAULT_RHYTHM, ...options.rhythm };
    const random = options.random ?? Math.random;
    this.log = options.logger ?? silentLogger;
    const common = {
      clock: options.clock,
      socket: options.socket,
      rhythm: () => this.rhythm,
      random,
      log: this.log,
      counters: this.counters,
    };
    this.handshakes = new HandshakeSchedule({
      ...common,
      initiator: new HandshakeInitiator({
        backend: options.backend,
        staticKeys: options.staticKeys,
        relayPublicKey: options.relayPublicKey,
        stamps: options.stamps,
        wallMs: () => options.clock.wallMs(),
        monotonicMs: () => options.clock.monotonicMs(),
      }),
      drop: (reason) => this.drop(reason),
    });
    this.exchanges = new ExchangeSchedule({
      ...common,
      depot: options.depot,
      keepaliveEnabled: options.keepaliveEnabled,
      running: () => this.running,
      hasSession: () => this.session !== null,
      usableSession: () => this.usableSession(),
      rehandshake: (reason) => this.beginHandshake(reason),
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
    this.exchanges.markCheckInDue();
    this.beginHandshake('boot');
    this.exchanges.scheduleCheckIn();
  }

  /** Cancels every timer; the caller closes the socket. An unanswered telegram is simply left: its frames stay pending. */
  stop(): void {
    this.running = false;
    this.exchanges.stop();
    this.handshakes.stop();
  }

  /** Fresh journal events: send them soon, so the portal sees movements within a second. */
  notifyJournaled(): void {
    this.exchanges.notifyJournaled();
  }

  /** What `keydepot-depot status` shows and the simulator inspects. */
  snapshot(): LinkSnapshot {
    const now = this.options.clock.monotonicMs();
    const handshaking = this.handshakes.active;
    return {
      session:
        this.session === null ? (handshaking ? 'handshaking' : 'none') : handshaking ? 'rekeying' : 'established',
      sessionAgeMs: this.session === null ? null : now - this.session.establishedAtMs,
      inFlight: this.exchanges.inFlight,
      unansweredExchanges: this.exchanges.unanswered,
      ...this.counters,
      drops: { ...this.counters.drops },
    };
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

  private beginHandshake(reason: string): void {
    if (this.running) this.handshakes.begin(reason);
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
    if (shape.type === TelegramType.CookieReply) {
      this.handshakes.receiveCookieReply(datagram);
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
    this.exchanges.answered(received.frames);
  }

  private receiveResponse(datagram: Uint8Array): void {
    const session = this.handshakes.receiveResponse(datagram);
    if (session === null) return;
    this.previous = this.session;
    this.session = session;
    this.counters.sessionsEstablished++;
    this.log.info({ sessionId: session.localId, relayId: session.remoteId }, 'session established');
    this.exchanges.restartOnNewSession();
  }

  private drop(reason: string): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
  }
}
