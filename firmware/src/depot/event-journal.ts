import type { EventFrame } from '@keydepot/shared';
import type { DepotStore } from '../store/depot-store.js';
import type { NewEvent } from '../store/records.js';
import type { TrustedClock } from './trusted-clock.js';

/** The logging the core needs; a pino logger fits. */
export interface DepotLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT: DepotLogger = { info() {}, warn() {}, error() {} };

/**
 * Writes events to the store's journal and tells listeners (the link) about
 * the fresh ones together, in a microtask after the write, so a transaction's
 * events leave as one batch and only once they are committed.
 */
export class EventJournal {
  private readonly listeners = new Set<(events: readonly EventFrame[]) => void>();
  private fresh: EventFrame[] = [];

  constructor(
    private readonly store: DepotStore,
    private readonly trusted: TrustedClock,
    private readonly log: DepotLogger,
  ) {}

  /** An event's time: trusted time, or 0 while the clock is unknown. */
  eventTime(): number {
    return this.trusted.nowMs() ?? 0;
  }

  write(event: NewEvent): void {
    const frame = this.store.journal(event);
    if (this.fresh.length === 0) queueMicrotask(() => this.notify());
    this.fresh.push(frame);
  }

  onJournaled(listener: (events: readonly EventFrame[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    const events = this.fresh;
    this.fresh = [];
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.log.error({ err: error }, 'journal listener failed');
      }
    }
  }
}
