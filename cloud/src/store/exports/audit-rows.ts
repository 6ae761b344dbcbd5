import type { Kysely } from 'kysely';
import { type AuditQuery, type AuditRow, type AuditScope, auditPage, type WHOLE_LOG } from '../portal/audit-page.js';
import type { Schema } from '../schema.js';
import { EXPORT_PAGE_ROWS } from './movement-rows.js';

/**
 * The audit entries of a scope matching the page's query, newest first, in
 * keyset pages (the audit page's own query, so an export holds exactly what
 * the page lists, in the user's scope). `limit` stops after that many rows;
 * `more` is then set on the returned state.
 */
export async function* auditPages(
  db: Kysely<Schema>,
  scope: AuditScope | typeof WHOLE_LOG,
  query: Omit<AuditQuery, 'page' | 'pageSize' | 'before'>,
  options: { limit?: number; pageRows?: number; state?: { more: boolean } } = {},
): AsyncGenerator<AuditRow[]> {
  const pageRows = options.pageRows ?? EXPORT_PAGE_ROWS;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  let before: AuditQuery['before'];
  while (left > 0) {
    const size = Math.min(pageRows, left);
    const { rows, more } = await auditPage(db, scope, {
      ...query,
      page: 1,
      pageSize: size,
      ...(before ? { before } : {}),
    });
    if (rows.length > 0) yield rows;
    left -= rows.length;
    if (!more) return;
    if (left <= 0) {
      if (options.state) options.state.more = true;
      return;
    }
    const last = rows[rows.length - 1] as AuditRow;
    before = { atMs: last.atMs, id: last.id };
  }
}
