/**
 * The line protocol between the depot and its keypad controller board (a small MCU
 * with a 3×4 key matrix, a 2×16 character LCD, a buzzer and an RGB LED), over a
 * USB serial port. Lines are printable ASCII ending in "\n" ("\r\n" accepted).
 * docs/hardware.md has the full table. Pure functions only: the driver frames and
 * sends, these parse and format.
 *
 * Board → depot: `K0`…`K9`, `K*`, `K#` (a key went down), `HELLO keypad/1 fw=1.2`
 * (after the board's reset), `PONG`, `ERR <text>`.
 * Depot → board: `D1 <text>`, `D2 <text>` (LCD rows), `B OK|ERR|KEY` (buzzer),
 * `L G|R|A|0` (LED green, red, amber, off), `PING`.
 */
import type { Beep, KeypadKey, LedColour } from './types.js';

/** The protocol generation this depot speaks; HELLO names the board's. */
export const KEYPAD_PROTOCOL = 'keypad/1';
/** Longest board line we look at; longer ones are cut (a board spewing noise must not fill memory). */
export const BOARD_LINE_MAX = 64;
/** Characters per LCD row (HD44780 2×16). */
const DISPLAY_WIDTH = 16;

export type BoardMessage =
  | { readonly kind: 'key'; readonly key: KeypadKey }
  | { readonly kind: 'hello'; readonly protocol: string; readonly firmware: string | undefined }
  | { readonly kind: 'pong' }
  | { readonly kind: 'error'; readonly message: string }
  /** Anything else: line noise at the wrong baud rate, a half line after a reconnect. */
  | { readonly kind: 'garbage'; readonly line: string };

const KEYS = new Set<string>(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);

/** Whether a character is a keypad key. */
export function isKeypadKey(value: string): value is KeypadKey {
  return KEYS.has(value);
}

/** Parses one line from the board (without its "\n"); never throws. */
export function parseBoardLine(raw: string): BoardMessage {
  const line = raw.slice(0, BOARD_LINE_MAX).replace(/\r$/, '');
  if (line.length === 2 && line[0] === 'K') {
    const key = line[1] as string;
    if (isKeypadKey(key)) return { kind: 'key', key };
  }
  if (line === 'PONG') return { kind: 'pong' };
  const hello = /^HELLO ([!-~]+)(?: fw=([!-~]+))?$/.exec(line);
  if (hello) return { kind: 'hello', protocol: hello[1] as string, firmware: hello[2] };
  if (line.startsWith('ERR ')) return { kind: 'error', message: toAscii(line.slice(4)).trim() };
  return { kind: 'garbage', line };
}

const GERMAN: Record<string, string> = {
  ä: 'ae',
  ö: 'oe',
  ü: 'ue',
  Ä: 'Ae',
  Ö: 'Oe',
  Ü: 'Ue',
  ß: 'ss',
  ẞ: 'SS',
  '€': 'EUR',
  '„': '"',
  '“': '"',
  '”': '"',
  '‚': "'",
  '‘': "'",
  '’': "'",
  '–': '-',
  '—': '-',
  '…': '...',
};

/**
 * Printable ASCII only: German letters spelled out (ä → ae: "Faecher", not "Fcher"),
 * other accents dropped (é → e), control characters as spaces (a "\n" in a text
 * must never start a second command to the board), anything else as "?".
 */
export function toAscii(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const german = GERMAN[char];
    if (german !== undefined) {
      out += german;
      continue;
    }
    const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    for (const c of base) {
      const code = c.charCodeAt(0);
      if (code >= 0x20 && code <= 0x7e) out += c;
      else if (code < 0x20 || code === 0x7f) out += ' ';
      else out += '?';
    }
  }
  return out;
}

/** A display row as the board shows it: ASCII, at most 16 characters. */
export function displayText(text: string): string {
  return toAscii(text).slice(0, DISPLAY_WIDTH);
}

/** `D1 <text>\n` / `D2 <text>\n`; an empty text clears the row. */
export function formatDisplay(row: 1 | 2, text: string): string {
  return `D${row} ${displayText(text)}\n`;
}

const BEEPS: Record<Beep, string> = { ok: 'OK', error: 'ERR', key: 'KEY' };
const LEDS: Record<LedColour, string> = { green: 'G', red: 'R', amber: 'A', off: '0' };

export function formatBeep(kind: Beep): string {
  return `B ${BEEPS[kind]}\n`;
}

export function formatLed(colour: LedColour): string {
  return `L ${LEDS[colour]}\n`;
}

export const PING_LINE = 'PING\n';
