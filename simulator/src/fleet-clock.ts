import { SimulatedClock } from '@keydepot/firmware';
import { NetworkPacer } from './network/pacer.js';

export interface FleetClockOptions {
  /** Simulated time runs this many times faster than real time; omitted: manual, time moves only through advance(). */
  readonly speed?: number;
  /** The wall clock at the start (default: the real time now, so the store's other timestamps stay near). */
  readonly startWallMs?: number;
  /**
   * Hold simulated time while a datagram delivered to the relay awaits its
   * answer (network/pacer.ts). Default: on when speed > 1, where a real
   * millisecond of round trip would otherwise cost simulated seconds.
   */
  readonly pace?: boolean;
  /** With `pace`: the longest real wait for an answer (default 10 ms). */
  readonly paceCapMs?: number;
}

/** The one clock of a fleet and its relay: a SimulatedClock, paced by the fleet's network when asked. */
export class FleetClock extends SimulatedClock {
  /** Set when the clock is paced; the fleet's lines report their datagrams to it. */
  readonly pacer: NetworkPacer | undefined;

  constructor(options: FleetClockOptions = {}) {
    const pace = options.pace ?? (options.speed ?? 1) > 1;
    const pacer = pace ? new NetworkPacer({ capMs: options.paceCapMs }) : undefined;
    super({ speed: options.speed, startWallMs: options.startWallMs ?? Date.now(), realTimers: pacer?.timers });
    this.pacer = pacer;
  }

  override stop(): void {
    super.stop();
    this.pacer?.stop();
  }
}

/** The clock to share between a fleet and its relay (give the relay `relayClock(clock)`). */
export function createFleetClock(options: FleetClockOptions = {}): FleetClock {
  return new FleetClock(options);
}

/**
 * The relay's `clock` option for a fleet clock: its wall time in whole ms, as
 * Date.now() gives them (the store's columns are integers; a sped-up clock is fractional).
 */
export function relayClock(clock: SimulatedClock): () => number {
  return () => Math.floor(clock.wallMs());
}
