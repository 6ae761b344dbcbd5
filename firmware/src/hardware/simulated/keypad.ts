import { displayText, isKeypadKey } from '../keypad-protocol.js';
import { Listeners } from '../listeners.js';
import type { Beep, Keypad, KeypadKey, LedColour } from '../types.js';

/**
 * A keypad driven from code: press keys, read what the LCD shows (as the board
 * would show it: ASCII, 16 characters a row), and the beeps and LED colours so far.
 */
export class SimulatedKeypad implements Keypad {
  private readonly keys = new Listeners<KeypadKey>();
  private rows: [string, string] = ['', ''];
  /** Every display() call as shown, oldest first. */
  readonly displayHistory: (readonly [string, string])[] = [];
  readonly beeps: Beep[] = [];
  /** Every led() call, oldest first. */
  readonly leds: LedColour[] = [];

  onKey(listener: (key: KeypadKey) => void): () => void {
    return this.keys.add(listener);
  }

  display(line1: string, line2 = ''): void {
    this.rows = [displayText(line1), displayText(line2)];
    this.displayHistory.push(this.rows);
  }

  beep(kind: Beep): void {
    this.beeps.push(kind);
  }

  led(colour: LedColour): void {
    this.leds.push(colour);
  }

  /** The two LCD rows now. */
  get lines(): readonly [string, string] {
    return this.rows;
  }

  /** The LED's colour now. */
  get ledColour(): LedColour {
    return this.leds.at(-1) ?? 'off';
  }

  /** A key press, delivered synchronously to the listeners. */
  press(key: KeypadKey): void {
    this.keys.emit(key);
  }

  /** Presses each character of `keys` in turn, e.g. type('482913#'). */
  type(keys: string): void {
    for (const key of keys) {
      if (!isKeypadKey(key)) throw new RangeError(`'${key}' is not a keypad key (0-9, *, #)`);
    }
    for (const key of keys) this.press(key as KeypadKey);
  }

  /** Listener count, so a test can see a session let go of the keypad. */
  get listenerCount(): number {
    return this.keys.size;
  }
}
