import type { LinkSocket } from '@keydepot/firmware';

/** A one-shot timer source: the fleet's SimulatedClock (firmware's Clock interface). */
export interface TimerClock {
  after(delayMs: number, task: () => void): { cancel(): void };
}

export interface NatOptions {
  /** Opens a fresh socket to the relay: a new source port, as a NAT's new mapping. */
  readonly open: () => LinkSocket;
  readonly clock: TimerClock;
  /**
   * A mapping is forgotten this long (simulated ms) after it was made; the next
   * datagram out makes a new one from a new port. Undefined: never.
   */
  readonly rebindEveryMs?: number;
}

/**
 * The depot's side of a NAT box: outbound datagrams leave through a mapping
 * (one socket, one source port). Every `rebindEveryMs` the mapping is
 * forgotten: its socket closes, so what the relay sends to the old port is
 * lost, as behind a carrier-grade NAT; the next datagram out opens a new
 * socket, and the relay sees the depot's telegrams from a new port. It must
 * follow by session id, not by address (protocol §7).
 */
export class NatSocket implements LinkSocket {
  private mapping: LinkSocket | null = null;
  private timer: { cancel(): void } | null = null;
  private handler: ((datagram: Uint8Array) => void) | null = null;
  private closed = false;
  /** Mappings made so far (the first one included). */
  mappings = 0;

  constructor(private readonly options: NatOptions) {
    const every = options.rebindEveryMs;
    if (every !== undefined && !(every > 0)) throw new RangeError(`rebindEveryMs must be > 0, got ${every}`);
  }

  send(datagram: Uint8Array): void {
    if (this.closed) return;
    this.currentMapping().send(datagram);
  }

  onMessage(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  /** Forgets the mapping now (a NAT reboot); the next datagram out gets a new port. */
  rebind(): void {
    this.timer?.cancel();
    this.timer = null;
    this.mapping?.close();
    this.mapping = null;
  }

  close(): void {
    this.closed = true;
    this.rebind();
  }

  private currentMapping(): LinkSocket {
    if (this.mapping !== null) return this.mapping;
    const mapping = this.options.open();
    mapping.onMessage((datagram) => {
      if (this.mapping === mapping) this.handler?.(datagram);
    });
    this.mapping = mapping;
    this.mappings++;
    const every = this.options.rebindEveryMs;
    if (every !== undefined) this.timer = this.options.clock.after(every, () => this.rebind());
    return mapping;
  }
}
