import { describe, expect, it } from 'vitest';
import {
  BOARD_LINE_MAX,
  displayText,
  formatBeep,
  formatDisplay,
  formatLed,
  parseBoardLine,
  toAscii,
} from './keypad-protocol.js';

describe('parseBoardLine', () => {
  it('reads every key', () => {
    for (const key of '0123456789*#') expect(parseBoardLine(`K${key}`)).toEqual({ kind: 'key', key });
  });

  it('accepts a trailing carriage return', () => {
    expect(parseBoardLine('K5\r')).toEqual({ kind: 'key', key: '5' });
  });

  it('reads the hello with and without firmware version', () => {
    expect(parseBoardLine('HELLO keypad/1 fw=1.2')).toEqual({ kind: 'hello', protocol: 'keypad/1', firmware: '1.2' });
    expect(parseBoardLine('HELLO keypad/2')).toEqual({ kind: 'hello', protocol: 'keypad/2', firmware: undefined });
  });

  it('reads PONG and errors', () => {
    expect(parseBoardLine('PONG')).toEqual({ kind: 'pong' });
    expect(parseBoardLine('ERR lcd not found ')).toEqual({ kind: 'error', message: 'lcd not found' });
  });

  it('calls everything else garbage, without throwing', () => {
    for (const line of ['', 'K', 'K55', 'KA', 'k5', ' K5', 'PONG!', 'HELLO', 'HELLO  x', 'ERR', '\u0000\u00ff', 'Ä5']) {
      expect(parseBoardLine(line).kind).toBe('garbage');
    }
  });

  it('cuts an overlong line before looking at it', () => {
    const long = `ERR ${'x'.repeat(500)}`;
    const message = parseBoardLine(long);
    expect(message.kind).toBe('error');
    expect(message.kind === 'error' && message.message.length).toBe(BOARD_LINE_MAX - 4);
    const garbage = parseBoardLine('z'.repeat(10_000));
    expect(garbage.kind === 'garbage' && garbage.line.length).toBe(BOARD_LINE_MAX);
  });
});

describe('display text', () => {
  it('spells out German letters instead of dropping them', () => {
    expect(toAscii('Fächer geöffnet, Schlüssel grüßen: Ä Ö Ü ẞ')).toBe(
      'Faecher geoeffnet, Schluessel gruessen: Ae Oe Ue SS',
    );
    expect(toAscii('Gebühr 5 €')).toBe('Gebuehr 5 EUR');
  });

  it('handles decomposed umlauts, accents and characters without an ASCII form', () => {
    expect(toAscii('a\u0308')).toBe('ae');
    expect(toAscii('Café Señor')).toBe('Cafe Senor');
    expect(toAscii('✓ 日本')).toBe('? ??');
  });

  it('turns control characters into spaces so a text cannot smuggle in a command', () => {
    expect(formatDisplay(1, 'Hallo\nL G')).toBe('D1 Hallo L G\n');
    expect(toAscii('a\tb\r\u007f')).toBe('a b  ');
  });

  it('cuts rows after transliteration to 16 characters', () => {
    expect(displayText('Bitte Tür schließen')).toBe('Bitte Tuer schli');
    expect(displayText('ÄÄÄÄÄÄÄÄÄ')).toBe('AeAeAeAeAeAeAeAe');
    expect(formatDisplay(2, '')).toBe('D2 \n');
  });
});

describe('commands to the board', () => {
  it('formats beeps and LED colours', () => {
    expect([formatBeep('ok'), formatBeep('error'), formatBeep('key')]).toEqual(['B OK\n', 'B ERR\n', 'B KEY\n']);
    expect([formatLed('green'), formatLed('red'), formatLed('amber'), formatLed('off')]).toEqual([
      'L G\n',
      'L R\n',
      'L A\n',
      'L 0\n',
    ]);
  });
});
