import { CommandKind, EventKind } from '@keydepot/shared';
import type { AlertKind } from '../../store/portal/alerts.js';
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
    [EventKind.LockoutStarted]: 'Tastatur gesperrt (falsche PINs)',
    [EventKind.LockoutEnded]: 'Tastatursperre beendet',
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
    [CommandKind.LockoutReset]: 'Tastatursperre aufheben',
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
  en: { tamper: 'Door forced', 'door-left-open': 'Door left open', lockout: 'Keypad locked' },
  de: { tamper: 'Tür aufgebrochen', 'door-left-open': 'Tür offen gelassen', lockout: 'Tastatur gesperrt' },
};

export function alertName(lang: Language, kind: AlertKind): string {
  return ALERT_NAMES[lang][kind];
}
