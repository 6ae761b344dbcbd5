import { describe, expect, it } from 'vitest';
import { checkSettings, DEFAULT_SETTINGS, resolveSettings, SettingError } from './settings.js';

describe('depot settings', () => {
  it('accepts known keys with valid values', () => {
    expect(
      checkSettings({ language: 'en', timeZone: 'America/New_York', keepalive: false, unlockPulseMs: 1500 }),
    ).toEqual({ language: 'en', timeZone: 'America/New_York', keepalive: false, unlockPulseMs: 1500 });
  });

  it('refuses unknown keys and bad values, naming the key', () => {
    expect(() => checkSettings({ colour: 'red' })).toThrow(new SettingError('unknown key colour'));
    expect(() => checkSettings({ language: 'fr' })).toThrow(/language/);
    expect(() => checkSettings({ timeZone: 'Nowhere/Special' })).toThrow(/timeZone/);
    expect(() => checkSettings({ unlockPulseMs: 50 })).toThrow(/unlockPulseMs/);
    expect(() => checkSettings({ doorOpenAlertSeconds: 1.5 })).toThrow(/doorOpenAlertSeconds/);
    expect(() => checkSettings({ keepalive: 'yes' })).toThrow(/keepalive/);
    expect(() => checkSettings({ toString: 1 })).toThrow(/unknown key/);
  });

  it('resolves stored values over defaults, ignoring ones this firmware refuses', () => {
    expect(resolveSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(resolveSettings({ language: 'en', legacy: 3, unlockPulseMs: -1 })).toEqual({
      ...DEFAULT_SETTINGS,
      language: 'en',
    });
  });
});
