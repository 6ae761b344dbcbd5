import type { LinkSocket } from '@keydepot/firmware';
import { deriveSeed, type Random, seededRandom } from '@keydepot/firmware';
import { NatSocket, type TimerClock } from './nat.js';
import { datagramFate, type NetworkConditions } from './network-shim.js';
import type { NetworkPacer } from './pacer.js';

/** The clock a line needs: timers and the simulated time outages are measured in. */
export interface LineClock extends TimerClock {
  monotonicMs(): number;
}

/** What happened to the datagrams of one direction. */
export interface DirectionStats {
  /** Datagrams handed to the shim. */
  sent: number;
  /** Lost to loss, an outage or a cut. */
  lost: number;
  /** Extra copies delivered. */
  duplicated: number;
  /** Copies passed on (to the relay's socket, or to the depot's link). */
  delivered: number;
}

export interface LineStats {
  readonly up: DirectionStats;
  readonly down: DirectionStats;
  /** NAT mappings made: the depot's source port changed this many times minus one. */
  readonly mappings: number;
}

export interface DepotLineOptions {
  readonly clock: LineClock;
  /** Read for every datagram, so a fleet can change the weather while it runs. */
  readonly conditions: () => NetworkConditions;
  /** The run's seed; each line draws its own streams from it and `id`. */
  readonly seed: number;
  /** Names the line's random streams (the depot id). */
  readonly id: number;
  /** Opens a real or in-memory socket to the relay: one per NAT mapping. */
  readonly open: () => LinkSocket;
  /** NAT rebinding period in simulated ms; undefined: the source port never changes. */
  readonly rebindEveryMs?: number;
  /** Told when a datagram reaches the relay's socket and when one comes back (a paced fleet clock's). */
  readonly pacer?: NetworkPacer;
}

const newStats = (): DirectionStats => ({ sent: 0, lost: 0, duplicated: 0, delivered: 0 });

/**
 * A depot's network path to the relay, through the shim (network-shim.ts)
 * and a NAT (nat.ts). It outlives the daemon: a power cycle opens a new socket
 * on the same line, which stays cut if it was cut. Each direction draws from
 * its own seeded stream, so the k-th datagram up a given line meets the same
 * fate in every run with that seed and those conditions.
 */
export class DepotLine {
  private cutNow = false;
  private readonly upRandom: Random;
  private readonly downRandom: Random;
  private readonly up = newStats();
  private readonly down = newStats();
  private nat: NatSocket | null = null;
  private current: LinkSocket | null = null;
  private pastMappings = 0;

  constructor(private readonly options: DepotLineOptions) {
    this.upRandom = seededRandom(deriveSeed(options.seed, 'up', options.id));
    this.downRandom = seededRandom(deriveSeed(options.seed, 'down', options.id));
  }

  /** True between cut() and restore(). */
  get isCut(): boolean {
    return this.cutNow;
  }

  /** Pulls the cable: everything either way is lost, including datagrams already on their way. */
  cut(): void {
    this.cutNow = true;
  }

  restore(): void {
    this.cutNow = false;
  }

  stats(): LineStats {
    return { up: { ...this.up }, down: { ...this.down }, mappings: this.pastMappings + (this.nat?.mappings ?? 0) };
  }

  /** Closes the current boot's socket, as a power cut does (the NAT mapping is forgotten with it). */
  hangUp(): void {
    this.current?.close();
    this.current = null;
  }

  /** The depot's socket for one boot: the daemon's socketFactory returns this. A new one hangs up the old. */
  open(): LinkSocket {
    this.hangUp();
    if (this.nat) this.pastMappings += this.nat.mappings;
    const nat = new NatSocket({
      open: this.options.open,
      clock: this.options.clock,
      rebindEveryMs: this.options.rebindEveryMs,
    });
    this.nat = nat;
    let handler: ((datagram: Uint8Array) => void) | null = null;
    let closed = false;
    nat.onMessage((datagram) => {
      this.options.pacer?.answered(this);
      this.pass(this.down, this.downRandom, () => {
        if (!closed) handler?.(datagram);
      });
    });
    const socket: LinkSocket = {
      send: (datagram) => {
        if (closed) return;
        // The link may reuse its buffer: the copy is what travels.
        const copy = datagram.slice();
        this.pass(this.up, this.upRandom, (duplicate) => {
          if (closed) return;
          nat.send(copy);
          // The relay drops a duplicate without an answer: waiting for one would only stall time.
          if (!duplicate) this.options.pacer?.sent(this);
        });
      },
      onMessage(next) {
        handler = next;
      },
      close() {
        closed = true;
        nat.close();
      },
    };
    this.current = socket;
    return socket;
  }

  private pass(stats: DirectionStats, random: Random, deliver: (duplicate: boolean) => void): void {
    stats.sent++;
    if (this.cutNow) {
      stats.lost++;
      return;
    }
    const delays = datagramFate(this.options.conditions(), random, this.options.clock.monotonicMs());
    if (delays.length === 0) stats.lost++;
    stats.duplicated += Math.max(0, delays.length - 1);
    for (const [copy, delay] of delays.entries()) {
      const arrive = () => {
        // A cable pulled while the datagram was on its way loses it too.
        if (this.cutNow) {
          stats.lost++;
          return;
        }
        stats.delivered++;
        deliver(copy > 0);
      };
      if (delay <= 0) arrive();
      else this.options.clock.after(delay, arrive);
    }
  }
}
