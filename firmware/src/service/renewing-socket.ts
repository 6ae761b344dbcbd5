import type { Clock, Timer } from '../hardware/types.js';
import type { LinkSocket } from '../link/link-socket.js';
import { udpLinkSocket } from '../link/udp-socket.js';

export interface RenewingSocketOptions {
  /** Opens a fresh socket to the relay (resolving its name again); `onError` gets its send errors. */
  readonly open: (onError: (error: Error) => void) => LinkSocket;
  readonly clock: Pick<Clock, 'after' | 'monotonicMs'>;
  readonly log: {
    debug(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
  /** Send errors in a row (nothing received in between) that make a new socket (default 3). */
  readonly errorsToRenew?: number;
  /** Sending without anything received for this long makes a new socket (default 3 min: 3 check-ins). */
  readonly silenceToRenewMs?: number;
  /** How often silence is checked (default 10 s). */
  readonly checkMs?: number;
}

/** What `status` shows about the socket. */
export interface SocketHealth {
  readonly renewals: number;
  readonly sendErrors: number;
  readonly lastError: string | null;
}

/**
 * The daemon's socket to the relay, made anew when it stops working. A UDP
 * socket connected to the relay keeps the source address it was connected
 * from: after a DHCP renewal or an LTE reconnect gives the Pi another address
 * every send fails (ENETUNREACH, EINVAL) or goes nowhere, and the link would
 * stay offline for good. After `errorsToRenew` send errors in a row, or
 * sends without a single datagram back for `silenceToRenewMs`, this closes
 * the socket and opens a new one, which looks the relay's name up again and
 * takes the current address; the relay follows the depot to its new address
 * with the next authenticated telegram (protocol §7), so the session goes on.
 */
export class RenewingSocket implements LinkSocket {
  private inner: LinkSocket;
  private handler: ((datagram: Uint8Array) => void) | null = null;
  private errorsInRow = 0;
  private lastHeardMono: number;
  private lastSentMono = 0;
  private timer: Timer | undefined;
  private closed = false;
  private readonly counts = { renewals: 0, sendErrors: 0, lastError: null as string | null };

  constructor(private readonly options: RenewingSocketOptions) {
    this.lastHeardMono = options.clock.monotonicMs();
    this.inner = this.openInner();
    this.scheduleCheck();
  }

  get health(): SocketHealth {
    return { ...this.counts };
  }

  send(datagram: Uint8Array): void {
    if (this.closed) return;
    this.lastSentMono = this.options.clock.monotonicMs();
    this.inner.send(datagram);
  }

  onMessage(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.inner.close();
  }

  /** Closes the socket and opens a new one (also from tests and the silence check). */
  renew(reason: string): void {
    if (this.closed) return;
    this.counts.renewals++;
    this.options.log.warn(
      { reason, renewals: this.counts.renewals, lastError: this.counts.lastError },
      'relay socket renewed: new socket, relay name looked up again',
    );
    this.errorsInRow = 0;
    this.lastHeardMono = this.options.clock.monotonicMs();
    try {
      this.inner.close();
    } catch {
      // Already broken: the new one replaces it either way.
    }
    this.inner = this.openInner();
  }

  private openInner(): LinkSocket {
    const socket = this.options.open((error) => this.failed(socket, error));
    socket.onMessage((datagram) => {
      this.errorsInRow = 0;
      this.lastHeardMono = this.options.clock.monotonicMs();
      this.handler?.(datagram);
    });
    return socket;
  }

  private failed(socket: LinkSocket, error: Error): void {
    if (socket !== this.inner || this.closed) return;
    this.counts.sendErrors++;
    this.counts.lastError = (error as NodeJS.ErrnoException).code ?? error.message;
    this.errorsInRow++;
    this.options.log.debug({ err: error.message, inRow: this.errorsInRow }, 'udp send failed');
    // Renewed from a fresh turn of the event loop: the error may come from inside the old socket's send.
    if (this.errorsInRow === (this.options.errorsToRenew ?? 3)) {
      queueMicrotask(() => this.renew(`${this.errorsInRow} send errors in a row (${this.counts.lastError})`));
    }
  }

  private scheduleCheck(): void {
    this.timer = this.options.clock.after(this.options.checkMs ?? 10_000, () => {
      const silence = this.options.silenceToRenewMs ?? 180_000;
      const now = this.options.clock.monotonicMs();
      if (this.lastSentMono > this.lastHeardMono && now - this.lastHeardMono >= silence) {
        this.renew(`nothing from the relay for ${Math.round((now - this.lastHeardMono) / 1000)} s`);
      }
      if (!this.closed) this.scheduleCheck();
    });
  }
}

/** The daemon's UDP socket to the relay, renewed when it stops working. */
export function renewingUdpSocket(
  relay: { host: string; port: number },
  clock: RenewingSocketOptions['clock'],
  log: RenewingSocketOptions['log'],
  settings: Pick<RenewingSocketOptions, 'errorsToRenew' | 'silenceToRenewMs' | 'checkMs'> = {},
): RenewingSocket {
  return new RenewingSocket({ ...settings, clock, log, open: (onError) => udpLinkSocket({ ...relay, onError }) });
}
