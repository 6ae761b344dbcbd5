/** Keypad display texts (16 characters a line at most), German by default, English on CONFIG language=en. */
export type Language = 'de' | 'en';

export interface Texts {
  readonly enterPin: string;
  readonly wrongPin: string;
  readonly tooShort: string;
  readonly open: (compartment: number) => string;
  readonly locked: (seconds: number) => string;
  readonly clockUnknown: string;
  readonly notValidNow: string;
  readonly used: string;
  readonly ambiguous: string;
}

const de: Texts = {
  enterPin: 'PIN eingeben',
  wrongPin: 'Falsche PIN',
  tooShort: 'PIN zu kurz',
  open: (c) => `Fach ${c} offen`,
  locked: (s) => `Gesperrt ${formatSeconds(s)}`,
  clockUnknown: 'Uhrzeit unbekannt',
  notValidNow: 'PIN nicht gültig',
  used: 'PIN verbraucht',
  ambiguous: 'PIN unklar',
};

const en: Texts = {
  enterPin: 'Enter PIN',
  wrongPin: 'Wrong PIN',
  tooShort: 'PIN too short',
  open: (c) => `Compartment ${c} open`,
  locked: (s) => `Locked ${formatSeconds(s)}`,
  clockUnknown: 'Clock unknown',
  notValidNow: 'PIN not valid now',
  used: 'PIN already used',
  ambiguous: 'PIN ambiguous',
};

/** "30 s", "4 min", "1 h": short enough for a 16-character line. */
function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.ceil(seconds / 3600)} h`;
}

export function textsFor(language: Language): Texts {
  return language === 'en' ? en : de;
}

/** Splits a text into the keypad's two 16-character lines at a space (the controller would cut mid-word). */
export function fitLines(text: string, width = 16): [string, string?] {
  if (text.length <= width) return [text];
  const cut = text.lastIndexOf(' ', width);
  if (cut <= 0) return [text.slice(0, width), text.slice(width, 2 * width)];
  return [text.slice(0, cut), text.slice(cut + 1, cut + 1 + width)];
}
