import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every text table of the portal: each `*-texts.ts` module under
 * cloud/src/portal, found by name, so the texts a new area adds are checked
 * without anyone listing them here. A table is an export shaped like
 * `defineTexts` makes it ({ en: {...}, de: {...} }) or a record of
 * { en: string, de: string } pairs (the audit's action names).
 */
const PORTAL = fileURLToPath(new URL('../../src/portal/', import.meta.url));

function textModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return textModules(path);
    return entry.name.endsWith('-texts.ts') ? [path] : [];
  });
}

/** Texts that are the same word in both languages (docs/glossary.md). */
const SAME_IN_BOTH = new Set([
  'PIN',
  'Passkey',
  'Passkeys',
  'PINs',
  'online',
  'offline',
  'keydepot',
  'Name',
  'Firmware',
  'Depot',
  'Depots',
  'Organisation',
  'System',
  'Status',
  'Start',
  'Software',
  'PayPal',
  'E-Mail',
  'Client ID',
  'Client-ID',
  'Sandbox',
  'Live',
  'Webhook',
  'Webhook-ID',
  'IBAN',
  'BIC',
]);

type Text = string | ((...args: unknown[]) => string);

/** A function text said with sample arguments (digit strings work for counts and names alike), or a string as it is. */
/** What `say` answers for a text it cannot say with samples: present, but not compared. */
const UNSAYABLE = '\u0000';

function say(text: Text): string {
  if (typeof text !== 'function') return text;
  try {
    const said: unknown = text(...Array.from({ length: text.length }, (_, i) => String(i + 2)));
    if (typeof said === 'string') return said;
    return UNSAYABLE;
  } catch {
    // A text that takes a structure (not names or numbers) cannot be said with samples: its presence is still checked.
    return UNSAYABLE;
  }
}

function isTable(value: unknown): value is { en: Record<string, Text>; de: Record<string, Text> } {
  return typeof value === 'object' && value !== null && 'en' in value && 'de' in value;
}

const entries: Array<{ file: string; name: string; key: string; en: Text | undefined; de: Text | undefined }> = [];
for (const file of textModules(PORTAL)) {
  const module = (await import(file)) as Record<string, unknown>;
  for (const [name, table] of Object.entries(module)) {
    if (isTable(table)) {
      const keys = new Set([...Object.keys(table.en), ...Object.keys(table.de)]);
      for (const key of keys)
        entries.push({ file: relative(PORTAL, file), name, key, en: table.en[key], de: table.de[key] });
    } else if (typeof table === 'object' && table !== null && Object.values(table).every(isTable)) {
      for (const [key, pair] of Object.entries(table as Record<string, { en: Text; de: Text }>)) {
        entries.push({ file: relative(PORTAL, file), name, key, en: pair.en, de: pair.de });
      }
    }
  }
}

describe('the portal texts', () => {
  it('finds the text tables of every area', () => {
    const files = new Set(entries.map((e) => e.file));
    for (const area of ['depot', 'dashboard', 'audit', 'pins', 'remote', 'admin', 'access-admin', 'auth', 'i18n']) {
      expect(
        [...files].some((f) => f.startsWith(`${area}/`)),
        area,
      ).toBe(true);
    }
    expect(entries.length).toBeGreaterThan(400);
  });

  it('has every text in German and in English, none empty', () => {
    const missing = entries
      .filter((e) => e.en === undefined || e.de === undefined || say(e.en).trim() === '' || say(e.de).trim() === '')
      .map((e) => `${e.file} ${e.name}.${e.key}`);
    expect(missing).toEqual([]);
  });

  it('has no German text that is the English one left untranslated', () => {
    const untranslated = entries
      .filter((e) => e.en !== undefined && e.de !== undefined)
      .filter((e) => say(e.en as Text) === say(e.de as Text) && !SAME_IN_BOTH.has(say(e.de as Text)))
      // A pattern of only its arguments and punctuation ("2 – 3") has no words to translate.
      .filter((e) => /\p{L}/u.test(say(e.de as Text)) && say(e.de as Text) !== UNSAYABLE)
      .map((e) => `${e.file} ${e.name}.${e.key}: ${say(e.de as Text)}`);
    expect(untranslated).toEqual([]);
  });
});
