import type { PinKindName } from '../../store/portal/pins.js';
import { PIN_KIND_NAMES } from '../../store/portal/pins.js';
import type { Language } from '../i18n/language.js';
import { pinsTexts } from './pins-texts.js';

/** The name of a kind of PIN ("Einmal-PIN"); a stored kind the portal does not know is shown as it is. */
export function kindName(lang: Language, kind: PinKindName | string): string {
  const t = pinsTexts[lang];
  const names: Record<PinKindName, string> = {
    'one-time': t.kindOneTime,
    'time-window': t.kindTimeWindow,
    weekly: t.kindWeekly,
    permanent: t.kindPermanent,
    offline: t.kindOffline,
  };
  return (PIN_KIND_NAMES as readonly string[]).includes(kind) ? names[kind as PinKindName] : kind || t.pin;
}
