import type { AuditQuery, AuditScope } from '../../store/portal/audit-page.js';
import { addDays, dayStartMs, parseDate } from '../depot/zoned-days.js';
import type { Language } from '../i18n/language.js';
import { auditTexts } from './audit-texts.js';

/** Entries per page. */
export const AUDIT_PAGE_SIZE = 50;
/** Deeper pages are refused: offset paging gets slow, and a narrower filter finds it faster. */
const MAX_PAGE = 2_000;
/** Dates in the filter are days in Berlin: the portal's users are in Germany, the filter spans depots. */
export const AUDIT_TIME_ZONE = 'Europe/Berlin';

/** The filter fields as typed (shown again in the form). */
export interface AuditFilterValues {
  readonly depot: string;
  readonly action: string;
  readonly actor: string;
  readonly from: string;
  readonly to: string;
  /** '1' shows the system's own entries too (hidden by default). */
  readonly system: string;
}

const ACTION = /^[a-z][a-z0-9-]{0,30}(\.[a-z0-9-]{1,30}){0,3}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/**
 * Reads the page's GET query. Every value is checked against a strict shape
 * before it reaches the store (which binds it as a parameter anyway); a bad
 * value gives a message for its field instead of a result.
 */
export function readAuditQuery(
  scope: AuditScope,
  raw: (name: string) => string | undefined,
  lang: Language,
): { values: AuditFilterValues; query: AuditQuery; page: number; errors: Record<string, string> } {
  const t = auditTexts[lang];
  const text = (name: string) => (raw(name) ?? '').trim().slice(0, 200);
  const values: AuditFilterValues = {
    depot: text('depot'),
    action: text('action'),
    actor: text('actor'),
    from: text('from'),
    to: text('to'),
    system: text('system') === '1' ? '1' : '',
  };
  const errors: Record<string, string> = {};
  let query: Omit<AuditQuery, 'page' | 'pageSize'> = values.system === '1' ? {} : { hideSystem: true };

  if (values.depot === 'none' && scope.withoutDepot) query = { ...query, depot: 'none' };
  else if (values.depot !== '') {
    const id = /^[1-9][0-9]{0,15}$/.test(values.depot) ? Number(values.depot) : Number.NaN;
    if (scope.depots.some((d) => d.id === id)) query = { ...query, depot: id };
    else errors.depot = t.badDepot;
  }
  if (values.action !== '') {
    if (ACTION.test(values.action)) query = { ...query, action: values.action };
    else errors.action = t.badAction;
  }
  if (values.actor === 'relay' || values.actor === 'cli') query = { ...query, actor: { kind: values.actor } };
  else if (values.actor !== '') {
    // Matched by name in the page's query: an unknown name, or one of another organisation, simply
    // matches nothing, by the same statements (the page tells no one which names exist).
    if (USERNAME.test(values.actor)) query = { ...query, actor: { username: values.actor } };
    else errors.actor = t.badActor;
  }
  if (values.from !== '') {
    const since = parseDate(values.from) ? dayStartMs(values.from, AUDIT_TIME_ZONE) : null;
    if (since === null) errors.from = t.badDate;
    else query = { ...query, sinceMs: since };
  }
  if (values.to !== '') {
    // The end date counts in full: entries before the next day starts.
    const until = parseDate(values.to) ? dayStartMs(addDays(values.to, 1), AUDIT_TIME_ZONE) : null;
    if (until === null) errors.to = t.badDate;
    else if (query.sinceMs !== undefined && until <= query.sinceMs) errors.to = t.badRange;
    else query = { ...query, untilMs: until };
  }
  const pageText = text('page');
  const page = pageText === '' ? 1 : /^[1-9][0-9]{0,5}$/.test(pageText) ? Number(pageText) : 0;
  if (page < 1 || page > MAX_PAGE) errors.page = t.badPage;
  return { values, query: { ...query, page: Math.max(1, page), pageSize: AUDIT_PAGE_SIZE }, page, errors };
}

/** The page's URL for these filters and a page number (empty filters left out). */
export function auditHref(values: AuditFilterValues, page: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== '') params.set(name, value);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query === '' ? '/audit' : `/audit?${query}`;
}
