import { commonTexts } from './i18n/common-texts.js';
import type { Language } from './i18n/language.js';
import type { PortalContext } from './portal-env.js';

/**
 * A submitted form read field by field. Each reader records a message for a
 * bad value and returns a usable default, so a handler checks `errors` once
 * and re-renders the form with every message at the same time.
 */
export class FormInput {
  readonly errors: Record<string, string> = {};
  private readonly t;

  constructor(
    private readonly fields: Readonly<Record<string, string>>,
    lang: Language,
  ) {
    this.t = commonTexts[lang];
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  /** The raw value (trimmed), '' when absent or not text. */
  raw(name: string): string {
    return (this.fields[name] ?? '').trim();
  }

  text(name: string, options: { max: number; required?: boolean }): string {
    const value = this.raw(name);
    if (options.required && value === '') this.errors[name] ??= this.t.required;
    else if (value.length > options.max) this.errors[name] ??= this.t.tooLong(options.max);
    return value.slice(0, options.max);
  }

  /** A whole number within [min, max]; null (with a message if required) when empty or bad. */
  integer(name: string, options: { min: number; max: number; required?: boolean }): number | null {
    const value = this.raw(name);
    if (value === '') {
      if (options.required) this.errors[name] ??= this.t.required;
      return null;
    }
    const n = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < options.min || n > options.max) {
      this.errors[name] ??= this.t.notANumber;
      return null;
    }
    return n;
  }

  /** One of the allowed values; the first one (with a message if the value was something else). */
  choice<T extends string>(name: string, allowed: readonly T[], message: string): T {
    const value = this.raw(name);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.errors[name] ??= message;
    return allowed[0] as T;
  }

  /** A password as typed (not trimmed). */
  password(name: string): string {
    const value = this.fields[name] ?? '';
    if (value === '') this.errors[name] ??= this.t.required;
    return value.slice(0, 1024);
  }

  fail(name: string, message: string): void {
    this.errors[name] ??= message;
  }
}

/** Reads the request's form body (urlencoded or multipart), text fields only. */
export async function readForm(c: PortalContext): Promise<FormInput> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') fields[name] = value;
  }
  return new FormInput(fields, c.get('lang'));
}
