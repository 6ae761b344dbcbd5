import { EventKind } from '@keydepot/shared';
import type { Movement, PinRef } from '../../store/portal/movements.js';
import type { View } from '../components/view.js';
import type { Language } from '../i18n/language.js';
import { kindName } from '../pins/pin-kind.js';
import { commandName } from './event-texts.js';
import { movementTexts } from './movement-texts.js';

/** "„Herr Müller – Auftrag 4711“ (Einmal-PIN)": the note the owner wrote, never the id alone. */
export function pinWords(lang: Language, pin: PinRef): string {
  const t = movementTexts[lang];
  const kind = kindName(lang, pin.kind);
  return pin.label ? t.pinWithNote(pin.label, kind) : t.pinWithoutNote(kind, pin.id);
}

const REASONS = {
  'not-valid': 'reasonNotValid',
  spent: 'reasonSpent',
  'clock-unknown': 'reasonClockUnknown',
  revoked: 'reasonRevoked',
  wrong: 'reasonWrong',
  ambiguous: 'reasonAmbiguous',
} as const;

function reason(lang: Language, word: string): string | null {
  const key = REASONS[word as keyof typeof REASONS];
  return key ? movementTexts[lang][key] : null;
}

/**
 * The words for what the firmware writes into a subject without a PIN or
 * command (firmware/src/depot/): reasons, lockout ends, clock changes. A
 * subject it does not know is shown as it came.
 */
function plainWords(lang: Language, m: Movement): string {
  const t = movementTexts[lang];
  const s = m.subject;
  if (s === '') return '';
  const known = reason(lang, s);
  if (known) return known;
  if (m.kind === EventKind.Boot) return t.firmware(s);
  if (m.kind === EventKind.LockoutEnded) return s === 'reset' ? t.lockoutReset : s === 'elapsed' ? t.lockoutElapsed : s;
  if (m.kind === EventKind.DoorOpened && s === 'at start') return t.doorOpenAtStart;
  if (m.kind === EventKind.Tamper && s === 'door opened without unlock') return t.forced;
  if (m.kind === EventKind.ClockSet) {
    if (s === 'set') return t.clockSet;
    const corrected = /^corrected (-?\d+) s$/.exec(s);
    if (corrected) return t.clockCorrected(Number(corrected[1]));
  }
  const seconds = /^(\d+) s$/.exec(s);
  if (seconds) return t.seconds(Number(seconds[1]));
  const pin = /^pin:(\d+)/.exec(s);
  if (pin) return t.unknownPin(pin[1] as string);
  const command = /^cmd:(\d+)$/.exec(s);
  if (command) return t.unknownCommand(command[1] as string);
  if (s.startsWith('offline:')) return t.unknownPin(s.slice('offline:'.length).split(' ')[0] as string);
  return s;
}

/** A movement's detail in the owner's words, linked to the PIN or command it names. */
export function MovementSubject(props: { view: View; movement: Movement }) {
  const { view, movement: m } = props;
  const t = movementTexts[view.lang];
  const about = m.about;
  if (about?.type === 'pin') {
    const why = about.reason ? reason(view.lang, about.reason) : null;
    return (
      <span class="movement-subject">
        <a href={`/depots/${m.depotId}/pins/${about.pin.id}`} data-pin-id={String(about.pin.id)}>
          {pinWords(view.lang, about.pin)}
        </a>
        {why ? ` · ${why}` : ''}
      </span>
    );
  }
  if (about?.type === 'command') {
    const name = commandName(view.lang, about.kind);
    const what = about.pin ? t.commandForPin(name, pinWords(view.lang, about.pin)) : name;
    return (
      <span class="movement-subject">
        <a href={`/depots/${m.depotId}/commands/${about.id}`} data-command-id={String(about.id)}>
          {about.by ? t.commandBy(what, about.by) : t.commandNoUser(what)}
        </a>
      </span>
    );
  }
  return <span class="movement-subject">{plainWords(view.lang, m)}</span>;
}
