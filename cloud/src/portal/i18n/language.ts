/** The portal's languages: German first (our users are German SMEs), English. */
export type Language = 'de' | 'en';
export const LANGUAGES: readonly Language[] = ['de', 'en'];

export function isLanguage(value: unknown): value is Language {
  return value === 'de' || value === 'en';
}

/**
 * One area's texts in both languages. The German object must have exactly the
 * English keys (the type says so), so a text cannot exist in one language only.
 * Values are strings or small functions for texts with numbers or names in them.
 */
export function defineTexts<T extends Record<string, string | ((...args: never[]) => string)>>(texts: {
  en: T;
  de: { [K in keyof T]: T[K] };
}): Record<Language, T> {
  return texts;
}

/**
 * The language for a request: the user's stored choice when signed in, else the
 * language cookie (set by the switcher), else the browser's Accept-Language,
 * else German.
 */
export function chooseLanguage(input: {
  userLanguage?: string | null;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}): Language {
  if (isLanguage(input.userLanguage)) return input.userLanguage;
  if (isLanguage(input.cookie)) return input.cookie;
  const ranked = (input.acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.tag !== '' && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'de';
}
