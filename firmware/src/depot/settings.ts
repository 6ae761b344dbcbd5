import { DEFAULT_TIME_ZONE } from '@keydepot/shared';

/**
 * The depot's settings: defaults below, overridden by CONFIG commands (protocol
 * §8.4) and kept in the store's config table. Every key is checked here, so an
 * unknown key or a bad value is REJECTED as a whole and nothing half-applies.
 */
export interface DepotSettings {
  /** Display language of the keypad. */
  readonly language: 'de' | 'en';
  /** IANA zone for weekly schedules (protocol §13). */
  readonly timeZone: string;
  /** A door open longer than this raises DOOR_LEFT_OPEN (once per opening). */
  readonly doorOpenAlertSeconds: number;
  /** How long the lock relay is energised for one unlock. */
  readonly unlockPulseMs: number;
  /** A door opened later than this after an unlock is TAMPER. */
  readonly unlockWindowSeconds: number;
  /** Typed digits are forgotten after this much keypad silence. */
  readonly keypadTimeoutSeconds: number;
  /** Whether the link sends keepalives (pushes within a second) or only check-ins. */
  readonly keepalive: boolean;
}

export const DEFAULT_SETTINGS: DepotSettings = {
  language: 'de',
  timeZone: DEFAULT_TIME_ZONE,
  doorOpenAlertSeconds: 120,
  // Electric strikes want 1–5 s; 3 s leaves the key taker time to push the door.
  unlockPulseMs: 3000,
  unlockWindowSeconds: 10,
  keypadTimeoutSeconds: 20,
  keepalive: true,
};

type SettingValue = string | number | boolean;

/** Why a CONFIG key or value was refused. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

function integer(key: string, value: SettingValue, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SettingError(`${key} must be an integer ${min}-${max}`);
  }
  return value;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const CHECKS: { readonly [K in keyof DepotSettings]: (value: SettingValue) => DepotSettings[K] } = {
  language: (v) => {
    if (v !== 'de' && v !== 'en') throw new SettingError('language must be de or en');
    return v;
  },
  timeZone: (v) => {
    if (typeof v !== 'string' || !isTimeZone(v)) throw new SettingError('timeZone must be an IANA zone');
    return v;
  },
  doorOpenAlertSeconds: (v) => integer('doorOpenAlertSeconds', v, 5, 86_400),
  unlockPulseMs: (v) => integer('unlockPulseMs', v, 100, 20_000),
  unlockWindowSeconds: (v) => integer('unlockWindowSeconds', v, 1, 300),
  keypadTimeoutSeconds: (v) => integer('keypadTimeoutSeconds', v, 5, 600),
  keepalive: (v) => {
    if (typeof v !== 'boolean') throw new SettingError('keepalive must be true or false');
    return v;
  },
};

/** Checks a flat CONFIG object; throws SettingError naming the first bad or unknown key. */
export function checkSettings(values: Readonly<Record<string, SettingValue>>): Partial<DepotSettings> {
  const checked: Record<string, SettingValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (!Object.hasOwn(CHECKS, key)) throw new SettingError(`unknown key ${key}`);
    checked[key] = CHECKS[key as keyof DepotSettings](value);
  }
  return checked as Partial<DepotSettings>;
}

/** Defaults overlaid with stored values; a stored value that no longer passes its check is ignored. */
export function resolveSettings(stored: Readonly<Record<string, SettingValue>>): DepotSettings {
  const merged: Record<string, SettingValue> = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(stored)) {
    try {
      Object.assign(merged, checkSettings({ [key]: value }));
    } catch {
      // A key from an older firmware or a value this one refuses: keep the default.
    }
  }
  return merged as unknown as DepotSettings;
}
