import { describe, expect, it } from 'vitest';
import { fitLines, textsFor } from './texts.js';

describe('keypad texts', () => {
  it('fits long texts on two 16-character lines at a space', () => {
    expect(fitLines('Fach 3 offen')).toEqual(['Fach 3 offen']);
    expect(fitLines(textsFor('en').open(12))).toEqual(['Compartment 12', 'open']);
    expect(fitLines('abcdefghijklmnopqrstuvwxyz')).toEqual(['abcdefghijklmnop', 'qrstuvwxyz']);
  });

  it('shows lockout times in units that fit', () => {
    const de = textsFor('de');
    expect(de.locked(60)).toBe('Gesperrt 60 s');
    expect(de.locked(240)).toBe('Gesperrt 4 min');
    expect(de.locked(3600)).toBe('Gesperrt 60 min');
  });
});
