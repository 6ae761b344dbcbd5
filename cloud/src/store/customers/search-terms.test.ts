import { describe, expect, it } from 'vitest';
import { indexTerms, nameWords, normaliseEmail, normalisePhone, normalisePlate, readSearch } from './search-terms.js';

describe('search terms', () => {
  it('normalises phones: spaces, dashes, slashes, +49 and 0049 to 0', () => {
    for (const typed of ['+49 171 2345678', '0171/2345678', '0049-171-234 56 78', '(0171) 234.5678']) {
      expect(normalisePhone(typed)).toBe('01712345678');
    }
    expect(normalisePhone('+43 1 234567')).toBe('+431234567');
  });

  it('normalises plates and e-mails by case, spaces and dashes', () => {
    expect(normalisePlate('hh-ab 123')).toBe(normalisePlate('HH AB-123'));
    expect(normaliseEmail(' Anna.Mueller@Example.DE ')).toBe('anna.mueller@example.de');
  });

  it('folds name words: case, diacritics, ß', () => {
    expect(nameWords('Jürgen  Müller-Straß')).toEqual(['jurgen', 'muller', 'strass']);
    expect(nameWords('MULLER')).toEqual(['muller']);
    expect(nameWords('Mueller Schroeder Baer')).toEqual(['muller', 'schroder', 'bar']);
  });

  it('indexes each term once', () => {
    const terms = indexTerms({ name: 'Anna Müller', company: 'Müller GmbH', email: 'a@b.de', phone: '', plate: '' });
    expect(terms.filter((t) => t.kind === 'word').map((t) => t.value)).toEqual(['anna', 'muller', 'gmbh']);
    expect(terms).toContainEqual({ kind: 'email', value: 'a@b.de' });
  });

  it('reads a search box as number, exact values and words', () => {
    expect(readSearch('K-0042').number).toBe(42);
    expect(readSearch('42').number).toBe(42);
    expect(readSearch('+49 171 2345678').exact).toContainEqual({ kind: 'phone', value: '01712345678' });
    expect(readSearch('hh-ab 123').exact).toContainEqual({ kind: 'plate', value: 'HHAB123' });
    expect(readSearch('Anna.Mueller@example.de').exact).toEqual([{ kind: 'email', value: 'anna.mueller@example.de' }]);
    expect(readSearch('anna müller').words).toEqual(['anna', 'muller']);
  });
});
