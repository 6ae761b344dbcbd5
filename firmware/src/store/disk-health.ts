import type { Clock, Timer } from '../hardware/types.js';
import type { DepotStore } from './depot-store.js';
import type { DiskReserve } from './disk-reserve.js';

export interface DiskHealthLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface DiskHealthOptions {
  readonly store: DepotStore;
  readonly reserve: DiskReserve;
  readonly clock: Pick<Clock, 'after'>;
  readonly log: DiskHealthLog;
  /** How often a full disk is looked at again: prune, write what is held, remake the reserve. */
  readonly intervalMs?: number;
  /** Called when `full` changes, so STATUS tells the cloud soon. */
  readonly onChange?: (full: boolean) => void;
}

/**
 * Keeps the depot working on a full disk (issue "the depot survives the
 * field"): when the store cannot write it holds the depot's decisions in
 * memory and this releases the reserve file; every interval it prunes what the
 * depot may give up, writes what is held, and makes the reserve again once
 * there is room. `full` (reported in STATUS and `status`) is true from the
 * first refused write until the held writes are on disk and the reserve is
 * back: until then the depot lives on borrowed space.
 */
export class DiskHealth {
  private timer: Timer | undefined;
  private reported = false;
  /** The reserve was given up for a full disk (or could not be made for want of space) and is not back yet. */
  private released = false;
  private readonly intervalMs: number;

  constructor(private readonly options: DiskHealthOptions) {
    this.intervalMs = options.intervalMs ?? 5_000;
    options.store.onUnwritable = (error) => {
      const released = options.reserve.release();
      this.released = true;
      options.log.error(
        { err: (error as Error).message, reserveReleased: released },
        'disk full: the depot keeps its decisions in memory until space returns',
      );
      this.changed();
    };
  }

  /** True while writes are held in memory or the reserve was given up and is not back yet. */
  get full(): boolean {
    return this.options.store.holding || this.released;
  }

  /**
   * Begins the checks. The first, one interval after start, makes the reserve if it is missing:
   * writing it (megabytes, synced) stays off the start, where a crash loop would repeat it.
   */
  start(): void {
    this.changed();
    const tick = () => {
      this.check();
      this.timer = this.options.clock.after(this.intervalMs, tick);
    };
    this.timer = this.options.clock.after(this.intervalMs, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Writes what is held, if the disk lets it (on stop: no reserve is made then); never throws. */
  flushHeld(): void {
    const { store, log } = this.options;
    try {
      if (store.isOpen && store.holding) {
        store.prune();
        store.flush();
      }
    } catch (error) {
      log.error({ err: error }, 'writing the held decisions failed');
    }
  }

  /** One round; never throws (it runs from a timer). */
  check(): void {
    const { store, reserve, log } = this.options;
    try {
      if (!store.isOpen) return;
      if (store.holding) {
        store.prune();
        const held = store.heldCounts();
        if (store.flush()) {
          log.info(
            { events: held.events, dropped: held.dropped },
            'disk has room again: the decisions held in memory are journaled',
          );
          if (held.dropped > 0) log.error({ dropped: held.dropped }, 'events lost while the disk was full');
        }
      }
      if (!store.holding) {
        if (reserve.present || reserve.ensure()) this.released = false;
        else {
          this.released = true;
          store.prune();
        }
      }
    } catch (error) {
      log.error({ err: error }, 'disk check failed');
    }
    this.changed();
  }

  private changed(): void {
    const full = this.full;
    if (full === this.reported) return;
    this.reported = full;
    if (!full) this.options.log.info({}, 'disk no longer full: reserve restored');
    this.options.onChange?.(full);
  }
}
