import { defineTexts, type Language } from '../i18n/language.js';

export const auditTexts = defineTexts({
  en: {
    title: 'Audit log',
    scopeOwner:
      'Every change to the depots you own or manage: who did what and when, with the value before and after. Entries are never deleted.',
    scopeOperator:
      'As service operator you also see the entries that belong to no depot: organisations, accounts and logins.',
    noScope: 'You own or manage no depot, so there is no audit log for you to read.',
    depot: 'Depot',
    allDepots: 'All',
    noDepot: 'No depot (organisations, accounts)',
    action: 'Action',
    allActions: 'All',
    actor: 'Who',
    actorHint: 'A user name.',
    from: 'From',
    to: 'To',
    filter: 'Show',
    reset: 'Reset',
    when: 'When',
    what: 'What',
    subject: 'About',
    change: 'Change',
    none: 'No entries match these filters.',
    badDepot: 'Please choose one of your depots.',
    badAction: 'Not an action name.',
    badActor: 'Not a user name.',
    badDate: 'Please enter a date as YYYY-MM-DD.',
    badRange: 'The end date is before the start date.',
    badPage: 'There is no such page.',
    showSystem: 'Also show the system’s own entries (commands sent and carried out, depot online/offline)',
    fromAddress: (address: string) => `from ${address}`,
  },
  de: {
    title: 'Protokoll',
    scopeOwner:
      'Jede Änderung an den Depots, die Sie besitzen oder verwalten: wer was wann getan hat, mit dem Wert davor und danach. Einträge werden nie gelöscht.',
    scopeOperator:
      'Als Service-Betreiber sehen Sie auch die Einträge ohne Depot: Organisationen, Konten und Anmeldungen.',
    noScope: 'Sie besitzen oder verwalten kein Depot, daher gibt es für Sie kein Protokoll.',
    depot: 'Depot',
    allDepots: 'Alle',
    noDepot: 'Ohne Depot (Organisationen, Konten)',
    action: 'Aktion',
    allActions: 'Alle',
    actor: 'Wer',
    actorHint: 'Ein Benutzername.',
    from: 'Von',
    to: 'Bis',
    filter: 'Anzeigen',
    reset: 'Zurücksetzen',
    when: 'Wann',
    what: 'Was',
    subject: 'Betrifft',
    change: 'Änderung',
    none: 'Keine Einträge zu diesen Filtern.',
    badDepot: 'Bitte wählen Sie eines Ihrer Depots.',
    badAction: 'Kein Aktionsname.',
    badActor: 'Kein Benutzername.',
    badDate: 'Bitte ein Datum als JJJJ-MM-TT eingeben.',
    badRange: 'Das Enddatum liegt vor dem Anfangsdatum.',
    badPage: 'Diese Seite gibt es nicht.',
    showSystem: 'Auch die Einträge des Systems zeigen (Befehle gesendet und ausgeführt, Depot online/offline)',
    fromAddress: (address: string) => `von ${address}`,
  },
});

/** Readable names of the actions and of their groups (a group filters every action under it). */
export const ACTION_NAMES: Record<string, { en: string; de: string }> = {
  user: { en: 'Accounts and logins', de: 'Konten und Anmeldungen' },
  'user.login': { en: 'Logged in', de: 'Angemeldet' },
  'user.logout': { en: 'Logged out', de: 'Abgemeldet' },
  'user.password-change': { en: 'Password changed', de: 'Passwort geändert' },
  'user.password-set': { en: 'Password set with a link', de: 'Passwort über Link festgelegt' },
  'user.password-reset': { en: 'Set-password link made', de: 'Link zum Passwort-Festlegen erstellt' },
  'user.create': { en: 'User created', de: 'Benutzer angelegt' },
  'user.disable': { en: 'User disabled', de: 'Benutzer gesperrt' },
  'user.enable': { en: 'User enabled', de: 'Benutzer freigegeben' },
  organisation: { en: 'Organisations', de: 'Organisationen' },
  'organisation.create': { en: 'Organisation created', de: 'Organisation angelegt' },
  'organisation.member.add': { en: 'Member added to organisation', de: 'Mitglied zur Organisation hinzugefügt' },
  depot: { en: 'Depots and access', de: 'Depots und Zugriff' },
  'depot.create': { en: 'Depot set up', de: 'Depot eingerichtet' },
  'depot.update': { en: 'Depot details changed', de: 'Depot-Stammdaten geändert' },
  'depot.rekey': { en: 'Depot got a new key', de: 'Depot hat neuen Schlüssel' },
  'depot.revoke': { en: 'Depot revoked', de: 'Depot gesperrt' },
  'depot.grant': { en: 'Role given', de: 'Rolle vergeben' },
  'depot.grant-remove': { en: 'Access removed', de: 'Zugriff entzogen' },
  'depot.online': { en: 'Depot online', de: 'Depot ist online' },
  'depot.offline': { en: 'Depot offline', de: 'Depot ist offline' },
  'depot.sessions-ended': { en: 'Old connections ended', de: 'Alte Verbindungen beendet' },
  'depot.open': { en: 'Remote open', de: 'Fernöffnung' },
  'depot.lockout-reset': { en: 'Keypad lock lifted', de: 'Tastensperre aufgehoben' },
  pin: { en: 'PINs', de: 'PINs' },
  'pin.create': { en: 'PIN created', de: 'PIN angelegt' },
  'pin.revoke': { en: 'PIN revoked', de: 'PIN widerrufen' },
  'pin.reveal': { en: 'PIN shown', de: 'PIN angezeigt' },
  command: { en: 'Commands to the depot', de: 'Befehle an das Depot' },
  'command.sent': { en: 'Command sent', de: 'Befehl gesendet' },
  'command.applied': { en: 'Command carried out', de: 'Befehl ausgeführt' },
  'command.failed': { en: 'Command failed', de: 'Befehl fehlgeschlagen' },
  'command.expired': { en: 'Command expired', de: 'Befehl abgelaufen' },
  'command.rejected': { en: 'Command rejected', de: 'Befehl abgelehnt' },
};

/** Every known action and group, in a stable order (the filter's choices). */
export const KNOWN_ACTIONS: readonly string[] = Object.keys(ACTION_NAMES);

/** The readable name of an action; an action we have no name for is shown as stored. */
export function actionName(lang: Language, action: string): string {
  return ACTION_NAMES[action]?.[lang] ?? action;
}
