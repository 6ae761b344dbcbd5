import type { Depot } from '../../store/depots.js';
import type { PinDisplayState, PinKindName, PinView } from '../../store/portal/pins.js';
import type { View } from '../components/view.js';
import { compartmentName } from '../depot/depot-components.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/language.js';
import { pinsTexts } from './pins-texts.js';

/** Compartment number → label, as the depot's master data names them. */
export type CompartmentLabels = ReadonlyMap<number, string>;

export { kindName } from './pin-kind.js';

export function kindHint(lang: Language, kind: PinKindName): string {
  const t = pinsTexts[lang];
  return {
    'one-time': t.kindHintOneTime,
    'time-window': t.kindHintTimeWindow,
    weekly: t.kindHintWeekly,
    permanent: t.kindHintPermanent,
    offline: t.kindHintOffline,
  }[kind];
}

const STATE_TONE: Record<PinDisplayState, string> = {
  queued: 'warn',
  'on-depot': 'ok',
  used: '',
  expired: '',
  failed: 'bad',
  revoked: 'bad',
};

/** The state as a badge with words (never colour alone); `data-state` for tests and scripts. */
export function PinStateBadge(props: { view: View; state: PinDisplayState }) {
  const t = pinsTexts[props.view.lang];
  const name = {
    queued: t.stateQueued,
    'on-depot': t.stateOnDepot,
    used: t.stateUsed,
    expired: t.stateExpired,
    failed: t.stateFailed,
    revoked: t.stateRevoked,
  }[props.state];
  return (
    <span class={`badge ${STATE_TONE[props.state]}`.trim()} data-state={props.state}>
      {name}
    </span>
  );
}

const minutes = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** When the PIN opens, in words: its window and, for a weekly PIN, the days and hours. */
export function validityText(view: View, pin: PinView, timeZone: string): string {
  const t = pinsTexts[view.lang];
  const at = (ms: number) => formatDateTime(view.lang, ms, timeZone);
  const window =
    pin.validFromMs && pin.validUntilMs
      ? t.range(at(pin.validFromMs), at(pin.validUntilMs))
      : pin.validFromMs
        ? t.fromOnly(at(pin.validFromMs))
        : pin.validUntilMs
          ? t.untilOnly(at(pin.validUntilMs))
          : pin.kind === 'one-time'
            ? t.onceNoEnd
            : pin.kind === 'permanent'
              ? t.untilRevoked
              : t.always;
  const names = t.weekdayShort.split(',');
  const weekly = pin.schedule.map((entry) => {
    const days = names.filter((_, i) => (entry.days & (1 << i)) !== 0).join(', ');
    return `${days} ${minutes(entry.startMinute)}–${minutes(entry.endMinute)}`;
  });
  return [...weekly, window === t.always && weekly.length > 0 ? '' : window].filter(Boolean).join(' · ');
}

export function pinCompartment(view: View, labels: CompartmentLabels, number: number): string {
  return compartmentName(view, number, labels.get(number));
}

/** The PIN's digits, large and plain (spaced by CSS only, so a copy is the PIN); the browser test reads #pin-digits. */
export function PinDigits(props: { digits: string }) {
  return (
    <p class="pin-digits" id="pin-digits" data-digits={props.digits}>
      {props.digits}
    </p>
  );
}

export const pinsPath = (depot: Depot) => `/depots/${depot.id}/pins`;
