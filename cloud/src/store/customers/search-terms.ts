import type { IndexKind } from '../../keys/blind-index.js';

/*
 * How a customer's searchable values are normalised before they are indexed
 * (keys/blind-index.ts), and how a search box's text is read. The same
 * function runs on both sides, so "HH-AB 123" finds "hh ab123" and
 * "+49 171 2345678" finds "0171/2345678". Pure: tested beside this file.
 */

export function normaliseEmail(value: string): string {
  return value.normalize('NFC').trim().toLowerCase();
}

/** Digits only, German numbers in national form: `+49`/`0049` become `0`; other countries keep `+`. */
export function normalisePhone(value: string): string {
  let compact = value.replace(/[\s\-/().]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (compact.startsWith('+49')) compact = `0${compact.slice(3)}`;
  return compact.startsWith('+') ? `+${compact.slice(1).replace(/\D/g, '')}` : compact.replace(/\D/g, '');
}

export function normalisePlate(value: string): string {
  return value
    .normalize('NFC')
    .toUpperCase()
    .replace(/[\s\-_.:]/g, '');
}

/**
 * Lower case without diacritics, ß as ss, and the German transcriptions ae,
 * oe, ue read as a, o, u: "Müller", "Mueller" and "Muller" are one word. The
 * same fold runs on what is indexed and on what is searched, so a word it
 * merges by accident ("Manuel", "Manul") only widens a search.
 */
function foldWord(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/([aou])e/g, '$1');
}

/** The words of a name or company, folded, each once. */
export function nameWords(value: string): string[] {
  const words = value.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
  return [...new Set(words.map(foldWord))];
}

/** The searchable fields of a customer. */
export interface SearchableFields {
  readonly name: string;
  readonly company: string;
  readonly email: string;
  readonly phone: string;
  readonly plate: string;
}

/** Every (kind, normalised value) a customer is found by. */
export function indexTerms(fields: SearchableFields): { kind: IndexKind; value: string }[] {
  const terms: { kind: IndexKind; value: string }[] = [];
  if (fields.email !== '') terms.push({ kind: 'email', value: normaliseEmail(fields.email) });
  const phone = normalisePhone(fields.phone);
  if (phone !== '') terms.push({ kind: 'phone', value: phone });
  const plate = normalisePlate(fields.plate);
  if (plate !== '') terms.push({ kind: 'plate', value: plate });
  for (const word of nameWords(`${fields.name} ${fields.company}`)) terms.push({ kind: 'word', value: word });
  // One word may come from both name and company: index it once.
  const seen = new Set<string>();
  return terms.filter((t) => {
    const key = `${t.kind}\0${t.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a search box's text may be: each reading that applies is tried. */
export interface SearchReading {
  /** A customer number ("42", "K-42", "k42"). */
  readonly number: number | null;
  /** Whole-value readings: any one matching is a hit. */
  readonly exact: { kind: IndexKind; value: string }[];
  /** Name words: a hit must have every one. */
  readonly words: string[];
}

export function readSearch(text: string): SearchReading {
  const query = text.trim().slice(0, 200);
  const numberMatch = /^(?:k-?\s*)?0*(\d{1,9})$/i.exec(query);
  const exact: { kind: IndexKind; value: string }[] = [];
  if (query.includes('@')) exact.push({ kind: 'email', value: normaliseEmail(query) });
  const phone = normalisePhone(query);
  if (/^[+\d][\d\s\-/().]*$/.test(query) && phone.replace('+', '').length >= 4)
    exact.push({ kind: 'phone', value: phone });
  const plate = normalisePlate(query);
  if (plate !== '' && /^[\p{L}\p{N}\s\-_.:]+$/u.test(query)) exact.push({ kind: 'plate', value: plate });
  return {
    number: numberMatch ? Number(numberMatch[1]) : null,
    exact,
    words: query.includes('@') ? [] : nameWords(query).slice(0, 8),
  };
}
