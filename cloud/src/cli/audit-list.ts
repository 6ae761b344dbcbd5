import { requireDepot } from '../store/depots.js';
import { type AuditQuery, type AuditRow, auditPage, WHOLE_LOG } from '../store/portal/audit-page.js';
import { findUserByUsername } from '../store/users.js';
import {
  type CliContext,
  CliError,
  type Command,
  depotIdOption,
  HELP_OPTION,
  integerOption,
  type OptionValues,
  optionalText,
  UsageError,
} from './command.js';
import { resolveOrganisation } from './organisation.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100_000;
const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];
/** The table is for reading; csv and json carry before/after in full. */
const TABLE_CHANGE_CHARS = 80;

/**
 * `audit list`: the audit log, newest first, with the portal audit page's
 * query (store/portal/audit-page.ts) over the whole log: the operator at the
 * server reads every entry, not a scope.
 */
export const auditList: Command = {
  name: 'audit list',
  summary: 'print the audit log, newest first (table, CSV or JSON)',
  help: [
    '--org <id or name>      entries of this organisation and its depots',
    '--depot <id>            entries of this depot',
    "--actor <name>          'relay', 'cli' or a user name",
    "--action <prefix>       an action ('pin.create') or a prefix of whole words ('pin')",
    '--since <ISO time>      from this instant on (2026-03-01 is 00:00 UTC, or 2026-03-01T08:00:00+01:00)',
    '--until <ISO time>      before this instant; a date alone counts in full',
    `--limit <n>             at most this many entries (default ${DEFAULT_LIMIT})`,
    '--format <format>       table (default), csv (RFC 4180) or json',
  ],
  options: {
    ...HELP_OPTION,
    org: { type: 'string' },
    depot: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
  },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const format = formatOption(values);
    const limit = values.limit === undefined ? DEFAULT_LIMIT : integerOption(values, 'limit', 1, MAX_LIMIT);
    const since = instantOption(values, 'since');
    const until = instantOption(values, 'until');
    const sinceMs = since?.ms;
    // A date alone as the end counts in full, like the portal's filter: entries before the next day.
    const untilMs = until === undefined ? undefined : until.ms + (until.dateOnly ? 86_400_000 : 0);
    if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) {
      throw new UsageError('--until must be later than --since');
    }
    const action = actionOption(values);
    const { db } = await context.store();
    const orgRef = optionalText(values, 'org');
    const organisationId = orgRef === undefined ? undefined : (await resolveOrganisation(db, orgRef)).id;
    const depot = values.depot === undefined ? undefined : (await requireDepot(db, depotIdOption(values))).id;
    const actorName = optionalText(values, 'actor');
    let actor: AuditQuery['actor'];
    if (actorName === 'relay' || actorName === 'cli') actor = { kind: actorName };
    else if (actorName !== undefined) {
      const user = await findUserByUsername(db, actorName);
      if (!user) throw new CliError(`there is no user named '${actorName}' (--actor)`);
      actor = { userId: user.id };
    }

    const query: AuditQuery = { organisationId, depot, actor, action, sinceMs, untilMs, page: 1, pageSize: limit };
    const { rows, more } = await auditPage(db, WHOLE_LOG, query);
    if (format === 'json') context.print(JSON.stringify(rows.map(jsonRow), null, 2));
    else if (format === 'csv') context.io.stdout.write(toCsv(rows));
    else printTable(context, rows);
    // On stderr, so a csv or json file on stdout stays clean.
    if (more) context.io.stderr.write(`More entries match: raise --limit (now ${limit}) or narrow the filter.\n`);
  },
};

function formatOption(values: OptionValues): Format {
  const text = optionalText(values, 'format') ?? 'table';
  if (!(FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${text}'`);
  }
  return text as Format;
}

function actionOption(values: OptionValues): string | undefined {
  // 'depot.' is read as the prefix 'depot' (the store matches whole words).
  const text = optionalText(values, 'action')?.replace(/\.$/, '');
  if (text === undefined) return undefined;
  if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(text) || text.length > 100) {
    throw new UsageError(`--action must be an action like 'pin.create' or a prefix like 'pin', got '${text}'`);
  }
  return text;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date (00:00 UTC) or date and time with its zone (Z or ±hh:mm).
 * A time without a zone is refused: the server's zone is rarely the reader's.
 */
export function parseInstant(text: string): { ms: number; dateOnly: boolean } | null {
  const m = ISO_INSTANT.exec(text);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  const sameDay = check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
  if (!sameDay || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return { ms: utc, dateOnly: zone === undefined };
  const [zoneHours, zoneMinutes] = zone.slice(1).split(':').map(Number);
  if (zoneHours > 14 || zoneMinutes > 59) return null;
  const offsetMs = (zoneHours * 60 + zoneMinutes) * 60_000 * (zone.startsWith('-') ? -1 : 1);
  return { ms: utc - offsetMs, dateOnly: false };
}

function instantOption(values: OptionValues, option: 'since' | 'until'): { ms: number; dateOnly: boolean } | undefined {
  const text = optionalText(values, option);
  if (text === undefined) return undefined;
  const instant = parseInstant(text);
  if (!instant) {
    throw new UsageError(
      `--${option} must be an ISO date or time like 2026-03-01 or 2026-03-01T08:00:00Z, got '${text}'`,
    );
  }
  return instant;
}

function actorOf(row: AuditRow): string {
  return row.actor === 'user' ? `user ${row.actorUsername ?? '?'}` : row.actor;
}

function compactJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

function jsonRow(row: AuditRow): Record<string, unknown> {
  return {
    id: row.id,
    time: new Date(row.atMs).toISOString(),
    atMs: row.atMs,
    actor: row.actor,
    actorUsername: row.actorUsername,
    action: row.action,
    organisationId: row.organisationId,
    depotId: row.depotId,
    depotName: row.depotName,
    subject: row.subject,
    before: row.before ?? null,
    after: row.after ?? null,
    address: row.address,
  };
}

/** Subjects and names come from portal users: no control characters (terminal escapes) reach the screen. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

function printTable(context: CliContext, rows: readonly AuditRow[]): void {
  if (rows.length === 0) {
    context.print('No audit entries.');
    return;
  }
  const table = [
    ['TIME (UTC)', 'ACTOR', 'ACTION', 'DEPOT', 'SUBJECT', 'CHANGE'],
    ...rows.map((row) => {
      const change =
        row.before === undefined && row.after === undefined
          ? ''
          : `${compactJson(row.before) || '-'} → ${compactJson(row.after) || '-'}`;
      return [
        new Date(row.atMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        actorOf(row),
        row.action,
        row.depotId === null ? '-' : `${row.depotId} ${row.depotName ?? ''}`.trimEnd(),
        row.subject,
        change.length > TABLE_CHANGE_CHARS ? `${change.slice(0, TABLE_CHANGE_CHARS - 1)}…` : change,
      ].map(printable);
    }),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const row of table) {
    context.print(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  }
}

const CSV_COLUMNS = [
  'id',
  'time',
  'actor',
  'actor_user',
  'action',
  'organisation_id',
  'depot_id',
  'depot',
  'subject',
  'before',
  'after',
  'address',
] as const;

/** The rows as RFC 4180 CSV: a header line, CRLF line ends, fields quoted where needed. */
function toCsv(rows: readonly AuditRow[]): string {
  const lines = [
    CSV_COLUMNS.join(','),
    ...rows.map((row) =>
      [
        String(row.id),
        new Date(row.atMs).toISOString(),
        row.actor,
        row.actorUsername ?? '',
        row.action,
        row.organisationId === null ? '' : String(row.organisationId),
        row.depotId === null ? '' : String(row.depotId),
        row.depotName ?? '',
        row.subject,
        compactJson(row.before),
        compactJson(row.after),
        row.address ?? '',
      ]
        .map(csvField)
        .join(','),
    ),
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

/**
 * One CSV field. A value a spreadsheet would run as a formula (= + - @, and
 * tab or CR, which some programs strip before looking) gets a leading
 * apostrophe: a depot name or user name is typed by portal users, and the
 * file is opened by an operator (OWASP "CSV injection").
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
