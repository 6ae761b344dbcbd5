import type { AuditRow } from '../../store/portal/audit-page.js';
import type { CommandState, DepotRole } from '../../store/schema.js';
import type { View } from '../components/view.js';
import { dashboardTexts } from '../dashboard/dashboard-texts.js';
import { commandName, commandStateName } from '../depot/event-texts.js';
import { pinWords } from '../depot/movement-subject.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/language.js';
import { kindName } from '../pins/pin-kind.js';
import { AUDIT_TIME_ZONE } from './audit-query.js';
import { auditSentenceTexts } from './audit-sentence-texts.js';
import { actionName } from './audit-texts.js';

type Fields = Record<string, unknown>;

function record(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function roleName(lang: Language, role: unknown): string {
  const t = dashboardTexts[lang];
  const names: Record<DepotRole, string> = { owner: t.roleOwner, manager: t.roleManager, viewer: t.roleViewer };
  return names[role as DepotRole] ?? str(role);
}

/** Who did it: the user's name, "System" for the relay, the command line as a service. */
function who(lang: Language, row: AuditRow): string {
  const t = auditSentenceTexts[lang];
  if (row.actor === 'relay') return t.system;
  if (row.actor === 'cli') return t.cli;
  return row.actorUsername ?? '–';
}

/** The PIN an entry names, in words: its note and kind, or its number when the portal has no row for it. */
function pinOf(lang: Language, row: AuditRow): string {
  if (row.pin) return pinWords(lang, row.pin);
  const id = /^pin (\d+)$/.exec(row.subject);
  return id ? auditSentenceTexts[lang].aPin(Number(id[1])) : row.subject;
}

function validity(lang: Language, after: Fields, zone: string): string {
  const t = auditSentenceTexts[lang];
  const from = num(after.validFromMs);
  const until = num(after.validUntilMs);
  const at = (ms: number) => formatDateTime(lang, ms, zone);
  if (from > 0 && until > 0) return t.validRange(at(from), at(until));
  if (until > 0) return t.validUntil(at(until));
  if (from > 0) return t.validFrom(at(from));
  return '';
}

/**
 * One entry as a sentence in the user's language: "admin hat für Fach 2 eine
 * Einmal-PIN angelegt („Herr Müller – Auftrag 4711“), gültig bis …". An action
 * this page has no sentence for (a newer area's) reads "<who>: <action name>".
 */
export function auditSentence(lang: Language, row: AuditRow): string {
  const t = auditSentenceTexts[lang];
  const by = who(lang, row);
  const before = record(row.before);
  const after = record(row.after);
  const zone = row.timeZone ?? AUDIT_TIME_ZONE;
  const command = () => {
    if (typeof after.kind !== 'number') return t.commandNo(/^command (\d+)$/.exec(row.subject)?.[1] ?? row.subject);
    const name = commandName(lang, after.kind);
    return row.pin ? t.commandWithPin(name, pinWords(lang, row.pin)) : name;
  };
  switch (row.action) {
    case 'pin.create': {
      const note = str(after.label);
      const kind = kindName(lang, str(after.kind));
      return t.pinCreate(by, kind, num(after.compartment), note ? t.pinNote(note) : '') + validity(lang, after, zone);
    }
    case 'pin.revoke':
      return t.pinRevoke(by, pinOf(lang, row));
    case 'pin.reveal':
      return t.pinReveal(by, pinOf(lang, row));
    case 'depot.open':
      return t.open(by, num(after.compartment));
    case 'depot.lockout-reset':
      return t.lockoutReset(by);
    case 'depot.update':
      return t.depotUpdate(by);
    case 'depot.create':
      return t.depotCreate(by, str(after.name) || row.subject);
    case 'depot.rekey':
      return t.depotRekey(by);
    case 'depot.revoke':
      return t.depotRevoke(by);
    case 'depot.grant': {
      const user = str(after.username) || row.subject;
      if (before.role !== undefined) {
        return t.grantChange(by, user, roleName(lang, before.role), roleName(lang, after.role));
      }
      return t.grant(by, user, roleName(lang, after.role));
    }
    case 'depot.grant-remove':
      return t.grantRemove(by, str(before.username) || row.subject);
    case 'depot.online':
      return t.online;
    case 'depot.offline':
      return t.offline;
    case 'depot.sessions-ended':
      return t.sessionsEnded;
    case 'command.sent':
      return t.commandSent(command());
    case 'command.applied':
      return t.commandApplied(command());
    case 'command.failed':
      return t.commandFailed(command());
    case 'command.expired':
      return t.commandExpired(command());
    case 'command.rejected':
      return t.commandRejected(command());
    case 'user.login':
      return t.login(by);
    case 'user.logout':
      return t.logout(by);
    case 'user.password-change':
      return t.passwordChange(by);
    case 'user.password-set':
      return t.passwordSet(row.subject);
    case 'user.password-reset':
      return t.passwordReset(by, row.subject);
    case 'user.create':
      return t.userCreate(by, row.subject);
    case 'user.disable':
      return t.userDisable(by, row.subject);
    case 'user.enable':
      return t.userEnable(by, row.subject);
    case 'organisation.create':
      return t.organisationCreate(by, row.subject);
    case 'organisation.member.add':
      return t.memberAdd(by, str(after.username) || row.subject);
    default:
      return t.other(by, actionName(lang, row.action));
  }
}

/** Actions whose sentence already says everything their before/after holds. */
const SAID_IN_SENTENCE =
  /^(pin\.(create|revoke|reveal)|depot\.(grant|grant-remove|open|create|online|offline)|user\.create|organisation\.)/;

/** A field's name in the change list; null for a field the owner need not read (ids, keys, internals). */
function fieldName(lang: Language, key: string): string | null {
  const t = auditSentenceTexts[lang];
  const compartment = /^compartment (\d+)$/.exec(key);
  if (compartment) return t.fieldCompartment(compartment[1] as string);
  const names: Record<string, string> = {
    name: t.fieldName,
    address: t.fieldAddress,
    time_zone: t.fieldTimeZone,
    timeZone: t.fieldTimeZone,
    role: t.fieldRole,
    disabled: t.fieldDisabled,
    state: t.fieldState,
    label: t.fieldLabel,
    detail: t.fieldDetail,
  };
  return names[key] ?? null;
}

function fieldValue(lang: Language, key: string, value: unknown, row: AuditRow, zone: string): string {
  const t = auditSentenceTexts[lang];
  if (value === undefined || value === null || value === '') return t.empty;
  if (typeof value === 'boolean') return value ? t.yes : t.no;
  if (key === 'role') return roleName(lang, value);
  if (key === 'state' && row.action.startsWith('command.')) return commandStateName(lang, value as CommandState);
  if (key.endsWith('Ms') && typeof value === 'number') return formatDateTime(lang, value, zone);
  return typeof value === 'string' ? value : String(value);
}

/** Before → after for the fields that changed and that a person reads; nothing for a creation. */
export function AuditChanges(props: { view: View; row: AuditRow }) {
  const { view, row } = props;
  if (SAID_IN_SENTENCE.test(row.action)) return null;
  const before = record(row.before);
  const after = record(row.after);
  const zone = row.timeZone ?? AUDIT_TIME_ZONE;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) =>
      JSON.stringify(before[k]) !== JSON.stringify(after[k]) &&
      fieldName(view.lang, k) !== null &&
      // A field that only appears, empty (a command's answer without detail), says nothing.
      (k in before || (after[k] !== null && after[k] !== '')),
  );
  if (keys.length === 0) return null;
  const show = (k: string, v: unknown) => fieldValue(view.lang, k, v, row, zone);
  return (
    <ul class="changes">
      {keys.map((k) => (
        <li>
          {fieldName(view.lang, k)}:{' '}
          {k in before ? (
            <>
              <del>{show(k, before[k])}</del> → <ins>{show(k, after[k])}</ins>
            </>
          ) : (
            show(k, after[k])
          )}
        </li>
      ))}
    </ul>
  );
}
