import type { Delimiter } from '../../exports/csv-cells.js';
import type { Language } from '../i18n/language.js';

/**
 * The separator a download asks for: `semicolon` (German Excel) or `comma`;
 * anything else gets the one that fits the user's language (German: ';').
 */
export function readDelimiter(value: string | undefined, lang: Language): Delimiter {
  if (value === 'semicolon') return ';';
  if (value === 'comma') return ',';
  return lang === 'de' ? ';' : ',';
}

/** 'keydepot-movements-depot-7-20261128-0900.csv': what it is, whose, when (UTC). */
export function downloadName(kind: string, depotId: number | null, nowMs: number, extension: string): string {
  const stamp = new Date(nowMs).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `keydepot-${kind}${depotId === null ? '' : `-depot-${depotId}`}-${stamp}.${extension}`;
}
