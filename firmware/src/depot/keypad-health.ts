import type { Clock, Keypad, Timer } from '../hardware/types.js';

export interface KeypadHealthOptions {
  readonly keypad: Keypad;
  readonly clock: Pick<Clock, 'after'>;
  readonly log: { warn(fields: object, message: string): void; info(fields: object, message: string): void };
  /** Between pings (default 30 s). */
  readonly intervalMs?: number;
  /** How long a PONG may take (default 2 s). */
  readonly timeoutMs?: number;
  /** Unanswered pings in a row before the keypad counts as dead (default 3). */
  readonly missesToDead?: number;
  /** Called when `dead` changes, so STATUS tells the cloud soon. */
  readonly onChange?: (dead: boolean) => void;
}

/**
 * Pings the keypad board while the daemon runs: a board that stopped answering
 * (unplugged, hung, cable broken) leaves key takers in front of a dead keypad,
 * and nobody at the depot would say so. Three unanswered pings in a row make it
 * dead (reported in STATUS, an alert in the portal); one PONG makes it alive
 * again. A keypad without ping (the simulated one) is never dead.
 */
export class KeypadHealth {
  private misses = 0;
  private timer: Timer | undefined;
  private running = false;
  private readonly intervalMs: number;

  constructor(private readonly options: KeypadHealthOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
  }

  get dead(): boolean {
    return this.misses >= (this.options.missesToDead ?? 3);
  }

  start(): void {
    if (this.running || this.options.keypad.ping === undefined) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One ping; resolves when it is answered or timed out. */
  async pingOnce(): Promise<void> {
    const { keypad, log } = this.options;
    if (keypad.ping === undefined) return;
    const wasDead = this.dead;
    let answered: boolean;
    try {
      answered = await keypad.ping(this.options.timeoutMs ?? 2_000);
    } catch {
      answered = false;
    }
    this.misses = answered ? 0 : this.misses + 1;
    if (this.dead === wasDead) return;
    if (this.dead) log.warn({ misses: this.misses }, 'keypad board does not answer: keypad dead');
    else log.info({}, 'keypad board answers again');
    this.options.onChange?.(this.dead);
  }

  private schedule(): void {
    this.timer = this.options.clock.after(this.intervalMs, () => {
      void this.pingOnce().finally(() => {
        if (this.running) this.schedule();
      });
    });
  }
}
