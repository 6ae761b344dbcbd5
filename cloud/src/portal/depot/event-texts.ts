import { CommandKind, EventKind } from '@keydepot/shared';
import type { AlertKind, ViolationDetail } from '../../store/portal/alerts.js';
import type { CommandState } from '../../store/schema.js';
import type { Language } from '../i18n/language.js';

/** Names of every event kind (protocol §8.2), as the movement lists and filters show them. */
const EVENT_NAMES: Record<Language, Record<EventKind, string>> = {
  en: {
    [EventKind.Boot]: 'Depot started',
    [EventKind.PinAccepted]: 'PIN accepted',
    [EventKind.PinRejected]: 'PIN rejected',
    [EventKind.Unlocked]: 'Unlocked',
    [EventKind.DoorOpened]: 'Door opened',
    [EventKind.DoorClosed]: 'Door closed',
    [EventKind.KeyRemoved]: 'Key removed',
    [EventKind.KeyReturned]: 'Key returned',
    [EventKind.Tamper]: 'Door forced (opened without unlock)',
    [EventKind.DoorLeftOpen]: 'Door left open',
    [EventKind.LockoutStarted]: 'Keypad locked (wrong PINs)',
    [EventKind.LockoutEnded]: 'Keypad lock ended',
    [EventKind.ClockSet]: 'Clock set',
    [EventKind.PinSpent]: 'PIN used up',
    [EventKind.CommandApplied]: 'Command applied',
  },
  de: {
    [EventKind.Boot]: 'Depot gestartet',
    [EventKind.PinAccepted]: 'PIN angenommen',
    [EventKind.PinRejected]: 'PIN abgelehnt',
    [EventKind.Unlocked]: 'Entriegelt',
    [EventKind.DoorOpened]: 'Tür geöffnet',
    [EventKind.DoorClosed]: 'Tür geschlossen',
    [EventKind.KeyRemoved]: 'Schlüssel entnommen',
    [EventKind.KeyReturned]: 'Schlüssel zurückgelegt',
    [EventKind.Tamper]: 'Tür aufgebrochen (ohne Entriegelung geöffnet)',
    [EventKind.DoorLeftOpen]: 'Tür offen gelassen',
    [EventKind.LockoutStarted]: 'Tastensperre (falsche PINs)',
    [EventKind.LockoutEnded]: 'Tastensperre beendet',
    [EventKind.ClockSet]: 'Uhr gestellt',
    [EventKind.PinSpent]: 'PIN aufgebraucht',
    [EventKind.CommandApplied]: 'Befehl ausgeführt',
  },
};

/** Every event kind in code order (for the filter's choices). */
export const EVENT_KINDS: readonly EventKind[] = Object.values(EventKind);

export function isEventKind(value: number): value is EventKind {
  return (EVENT_KINDS as readonly number[]).includes(value);
}

export function eventName(lang: Language, kind: number): string {
  return isEventKind(kind) ? EVENT_NAMES[lang][kind] : `#${kind}`;
}

/** Events that deserve a colour in a list: alerts red, withdrawals green. */
export function eventTone(kind: number): 'bad' | 'warn' | 'ok' | null {
  if (kind === EventKind.Tamper || kind === EventKind.LockoutStarted) return 'bad';
  if (kind === EventKind.DoorLeftOpen || kind === EventKind.PinRejected) return 'warn';
  if (kind === EventKind.KeyRemoved || kind === EventKind.PinAccepted) return 'ok';
  return null;
}

const COMMAND_NAMES: Record<Language, Record<CommandKind, string>> = {
  en: {
    [CommandKind.PinAdd]: 'Send PIN',
    [CommandKind.PinRevoke]: 'Revoke PIN',
    [CommandKind.Open]: 'Remote open',
    [CommandKind.LockoutReset]: 'Reset keypad lock',
    [CommandKind.Config]: 'Settings',
  },
  de: {
    [CommandKind.PinAdd]: 'PIN senden',
    [CommandKind.PinRevoke]: 'PIN widerrufen',
    [CommandKind.Open]: 'Fernöffnung',
    [CommandKind.LockoutReset]: 'Tastensperre aufheben',
    [CommandKind.Config]: 'Einstellungen',
  },
};

export function commandName(lang: Language, kind: number): string {
  return (COMMAND_NAMES[lang] as Record<number, string>)[kind] ?? `#${kind}`;
}

const STATE_NAMES: Record<Language, Record<CommandState, string>> = {
  en: {
    queued: 'queued',
    sent: 'sent',
    applied: 'applied',
    failed: 'failed',
    expired: 'expired',
    rejected: 'rejected',
  },
  de: {
    queued: 'wartend',
    sent: 'gesendet',
    applied: 'ausgeführt',
    failed: 'fehlgeschlagen',
    expired: 'abgelaufen',
    rejected: 'abgewiesen',
  },
};

export function commandStateName(lang: Language, state: CommandState): string {
  return STATE_NAMES[lang][state] ?? state;
}

export function commandStateTone(state: CommandState): 'ok' | 'warn' | 'bad' {
  return state === 'applied' ? 'ok' : state === 'queued' || state === 'sent' ? 'warn' : 'bad';
}

const ALERT_NAMES: Record<Language, Record<AlertKind, string>> = {
  en: {
    tamper: 'Door forced',
    'door-left-open': 'Door left open',
    lockout: 'Keypad locked',
    'protocol-violation': 'Protocol violation',
    'disk-full': 'Depot disk full',
    'keypad-dead': 'Keypad not responding',
  },
  de: {
    tamper: 'Tür aufgebrochen',
    'door-left-open': 'Tür offen gelassen',
    lockout: 'Tastensperre',
    'protocol-violation': 'Protokollverletzung',
    'disk-full': 'Speicher des Depots voll',
    'keypad-dead': 'Tastatur antwortet nicht',
  },
};

export function alertName(lang: Language, kind: AlertKind): string {
  return ALERT_NAMES[lang][kind];
}

/** Frame kinds only the cloud sends, by their code (protocol §8.1). */
const RELAY_FRAMES: Record<number, string> = { 2: 'EVENT_ACK', 3: 'COMMAND', 6: 'TIME' };

/** What a depot's protocol violation was (protocol §8.10), as one readable sentence. */
const VIOLATION_TEXTS: Record<Language, { lead: string; reasons: Record<string, (v: ViolationDetail) => string> }> = {
  en: {
    lead: 'Depot sent a protocol violation',
    reasons: {
      'wrong-direction': (v) => `a ${RELAY_FRAMES[v.value] ?? `kind ${v.value}`} frame, which only the cloud sends`,
      'unknown-command': (v) =>
        `a result for command ${v.value}, which was never sent to it (${issued('en', v.limit)}); it was ignored`,
      'last-applied': (v) =>
        `status reports command ${v.value} as applied, which was never sent to it (${issued('en', v.limit)}); it was ignored`,
      'compartment-count': (v) => `status with ${v.value} compartments, ${v.limit} are set up; it was ignored`,
      'event-compartment': (v) => `an event for compartment ${v.value}, only ${v.limit} are set up`,
    },
  },
  de: {
    lead: 'Depot hat gegen das Protokoll verstoßen',
    reasons: {
      'wrong-direction': (v) => `eine Nachricht vom Typ ${RELAY_FRAMES[v.value] ?? v.value}, die nur die Cloud sendet`,
      'unknown-command': (v) =>
        `Ergebnis für Befehl ${v.value}, der ihm nie gesendet wurde (${issued('de', v.limit)}); es wurde ignoriert`,
      'last-applied': (v) =>
        `Status meldet Befehl ${v.value} als ausgeführt, der ihm nie gesendet wurde (${issued('de', v.limit)}); er wurde ignoriert`,
      'compartment-count': (v) => `Status mit ${v.value} Fächern, eingerichtet sind ${v.limit}; er wurde ignoriert`,
      'event-compartment': (v) => `Ereignis für Fach ${v.value}, eingerichtet sind nur ${v.limit}`,
    },
  },
};

function issued(lang: Language, lastIssued: number): string {
  if (lang === 'de') return lastIssued === 0 ? 'bisher wurde kein Befehl erteilt' : `zuletzt erteilt: ${lastIssued}`;
  return lastIssued === 0 ? 'no command was issued yet' : `last issued: ${lastIssued}`;
}

/** "Depot sent a protocol violation: …" in the user's language. */
export function violationText(lang: Language, v: ViolationDetail): string {
  const t = VIOLATION_TEXTS[lang];
  const reason = t.reasons[v.reason];
  return reason ? `${t.lead}: ${reason(v)}` : `${t.lead}: ${v.reason}`;
}
