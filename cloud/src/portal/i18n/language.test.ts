import { describe, expect, it } from 'vitest';
import { commonTexts } from './common-texts.js';
import { chooseLanguage } from './language.js';

describe('language choice', () => {
  it('prefers the stored choice, then the cookie, then the browser, then German', () => {
    expect(chooseLanguage({ userLanguage: 'en', cookie: 'de', acceptLanguage: 'de' })).toBe('en');
    expect(chooseLanguage({ cookie: 'en', acceptLanguage: 'de-DE' })).toBe('en');
    expect(chooseLanguage({ acceptLanguage: 'fr-FR,fr;q=0.9,en-US;q=0.8,de;q=0.7' })).toBe('en');
    expect(chooseLanguage({ acceptLanguage: 'en;q=0.3, de-AT' })).toBe('de');
    expect(chooseLanguage({ acceptLanguage: 'fr, en;q=0' })).toBe('de');
    expect(chooseLanguage({})).toBe('de');
  });

  it('has every common text in both languages', () => {
    expect(Object.keys(commonTexts.de).sort()).toEqual(Object.keys(commonTexts.en).sort());
  });
});
