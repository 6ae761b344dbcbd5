import { AUDIT_HEADER, auditRow } from '../exports/audit-export.js';
import type { Delimiter } from '../exports/csv-cells.js';
import { csvExport } from '../exports/csv-export.js';
import { mapPages } from '../exports/movement-export.js';
import { requireDepot } from '../store/depots.js';
import { auditPages } from '../store/exports/audit-rows.js';
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
    "--format <format>       table (default), csv or json; csv is the portal export's format (UTF-8 with BOM,",
    '                        formula cells neutralised, ending in the filter and a SHA-256 for verify-export)',
    "--delimiter <; or ,>    the CSV separator (default ','; ';' for German Excel)",
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
    delimiter: { type: 'string' },
  },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const format = formatOption(values);
    const delimiter = delimiterOption(values);
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
    let more: boolean;
    if (format === 'csv') {
      const state = { more: false };
      const filter = {
        export: 'audit',
        ...auditFilterRecord(values),
        exportedAt: new Date(context.now()).toISOString(),
      };
      const stream = csvExport({
        header: AUDIT_HEADER,
        pages: mapPages(auditPages(db, WHOLE_LOG, query, { limit, state }), auditRow),
        filter,
        delimiter,
      });
      await writeStream(context, stream);
      more = state.more;
    } else {
      const page = await auditPage(db, WHOLE_LOG, query);
      more = page.more;
      if (format === 'json') context.print(JSON.stringify(page.rows.map(jsonRow), null, 2));
      else printTable(context, page.rows);
    }
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

/** The options as given, for the export's filter line. */
function auditFilterRecord(values: OptionValues): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name of ['org', 'depot', 'actor', 'action', 'since', 'until', 'limit']) {
    const value = values[name];
    if (typeof value === 'string') record[name] = value;
  }
  return record;
}

function delimiterOption(values: OptionValues): Delimiter {
  const text = optionalText(values, 'delimiter') ?? ',';
  if (text !== ';' && text !== ',') throw new UsageError(`--delimiter must be ';' or ',', got '${text}'`);
  return text;
}

/** Writes an export to stdout as it is produced (one page of rows at a time). */
async function writeStream(context: CliContext, stream: ReadableStream<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const chunk of stream) context.io.stdout.write(decoder.decode(chunk, { stream: true }));
  context.io.stdout.write(decoder.decode());
}
