import { ReadlineParser, type SerialPort, type SerialPortMock } from 'serialport';
import {
  type BoardMessage,
  formatBeep,
  formatDisplay,
  formatLed,
  KEYPAD_PROTOCOL,
  PING_LINE,
  parseBoardLine,
} from './keypad-protocol.js';
import { Listeners } from './listeners.js';
import type { Beep, Clock, Keypad, KeypadKey, LedColour, Timer } from './types.js';

/** A serial port as the driver uses it: the real one, or serialport's mock in tests. */
export type KeypadPort = SerialPort | SerialPortMock;

/** What the driver reports besides keys (a logger's warn/info is enough). */
export interface KeypadLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface SerialKeypadOptions {
  /** Opens the port (autoOpen), e.g. `() => new SerialPort({ path, baudRate })`. Called again on every reconnect. */
  readonly openPort: () => KeypadPort;
  readonly clock: Pick<Clock, 'after'>;
  /** First wait before reopening a closed or unopenable port; doubles up to maxReconnectMs. */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
  readonly log?: KeypadLog;
}

export interface SerialKeypadStats {
  garbageLines: number;
  boardErrors: number;
  /** Ports opened after the first. */
  reconnects: number;
}

const silent: KeypadLog = { info: () => {}, warn: () => {} };

/**
 * The keypad controller board on a serial port (docs/hardware.md). Keeps what the
 * LCD and LED should show and sends it again whenever the board (re)appears: a
 * USB unplug or a board reset would otherwise leave a blank or stale display.
 */
export class SerialKeypad implements Keypad {
  readonly stats: SerialKeypadStats = { garbageLines: 0, boardErrors: 0, reconnects: 0 };
  /** The board's HELLO, once seen. */
  board: { protocol: string; firmware: string | undefined } | undefined;
  private readonly keys = new Listeners<KeypadKey>();
  private readonly pongs: (() => void)[] = [];
  private readonly log: KeypadLog;
  private port: KeypadPort | undefined;
  private rows: [string, string] = ['', ''];
  private colour: LedColour = 'off';
  private backoffMs: number;
  private reconnectTimer: Timer | undefined;
  private opened = 0;
  private closing = false;

  constructor(private readonly options: SerialKeypadOptions) {
    this.log = options.log ?? silent;
    this.backoffMs = options.reconnectMs ?? 500;
    this.connect();
  }

  /** Whether the port is open now. */
  get connected(): boolean {
    return this.port?.isOpen === true;
  }

  onKey(listener: (key: KeypadKey) => void): () => void {
    return this.keys.add(listener);
  }

  display(line1: string, line2 = ''): void {
    this.rows = [line1, line2];
    this.send(formatDisplay(1, line1) + formatDisplay(2, line2));
  }

  beep(kind: Beep): void {
    // A beep is feedback for now: not worth replaying after a reconnect.
    this.send(formatBeep(kind));
  }

  led(colour: LedColour): void {
    this.colour = colour;
    this.send(formatLed(colour));
  }

  /**
   * Sends PING (at once, or when the port opens); resolves true on PONG within
   * `timeoutMs`, else false. test-hardware uses it to check cable and baud rate.
   */
  ping(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer: boolean): void => {
        if (done) return;
        done = true;
        const index = this.pongs.indexOf(onPong);
        if (index >= 0) this.pongs.splice(index, 1);
        timer.cancel();
        resolve(answer);
      };
      const onPong = (): void => finish(true);
      const timer = this.options.clock.after(timeoutMs, () => finish(false));
      this.pongs.push(onPong);
      this.send(PING_LINE);
    });
  }

  /** Closes the port and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    this.reconnectTimer?.cancel();
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private connect(): void {
    if (this.closing) return;
    let port: KeypadPort;
    try {
      port = this.options.openPort();
    } catch (error) {
      this.log.warn(`keypad port: ${(error as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.port = port;
    let gone = false;
    const lost = (why: string): void => {
      if (gone || this.closing) return;
      gone = true;
      if (this.port === port) this.port = undefined;
      this.log.warn(`keypad port ${why}; reconnecting`);
      this.scheduleReconnect();
    };
    port.on('open', () => {
      // close() came while the port was still opening.
      if (this.closing) {
        port.close();
        return;
      }
      if (this.opened++ > 0) this.stats.reconnects++;
      this.backoffMs = this.options.reconnectMs ?? 500;
      this.log.info('keypad port open');
      this.resendState();
    });
    // Errors while not open mean the open failed (no 'close' follows); later ones precede a 'close'.
    port.on('error', (error: Error) => {
      if (!port.isOpen) lost(`failed: ${error.message}`);
      else this.log.warn(`keypad port error: ${error.message}`);
    });
    port.on('close', () => lost('closed'));
    const lines = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
    lines.on('data', (line: string) => this.receive(parseBoardLine(line)));
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(delay * 2, this.options.maxReconnectMs ?? 30_000);
    this.reconnectTimer?.cancel();
    this.reconnectTimer = this.options.clock.after(delay, () => {
      this.reconnectTimer = undefined;
      this.connect();
    });
  }

  private receive(message: BoardMessage): void {
    switch (message.kind) {
      case 'key':
        this.keys.emit(message.key);
        return;
      case 'hello':
        this.board = { protocol: message.protocol, firmware: message.firmware };
        if (message.protocol !== KEYPAD_PROTOCOL) {
          this.log.warn(`keypad board speaks ${message.protocol}, this depot ${KEYPAD_PROTOCOL}`);
        }
        // The board has just reset: its LCD is blank.
        this.resendState();
        return;
      case 'pong':
        for (const pong of this.pongs.splice(0)) pong();
        return;
      case 'error':
        this.stats.boardErrors++;
        this.log.warn(`keypad board: ${message.message}`);
        return;
      case 'garbage':
        this.stats.garbageLines++;
        return;
    }
  }

  private resendState(): void {
    // A ping asked for while the port was still opening (or unplugged) goes out now.
    const ping = this.pongs.length > 0 ? PING_LINE : '';
    this.send(formatDisplay(1, this.rows[0]) + formatDisplay(2, this.rows[1]) + formatLed(this.colour) + ping);
  }

  private send(text: string): void {
    const port = this.port;
    // While unplugged, output is dropped; the state is sent again on reconnect.
    if (!port?.isOpen) return;
    port.write(text, 'latin1');
  }
}
