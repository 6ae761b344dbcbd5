import { AUDIT_HEADER, auditRow } from '../../exports/audit-export.js';
import { csvExport } from '../../exports/csv-export.js';
import { depotExport } from '../../exports/depot-exports.js';
import { mapPages } from '../../exports/movement-export.js';
import { auditPages } from '../../store/exports/audit-rows.js';
import type { JobKind } from '../../store/exports/export-jobs.js';
import { type AuditScope, auditScopeOf } from '../../store/portal/audit-page.js';
import { depotRole, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { readAuditQuery } from '../audit/audit-query.js';
import type { PortalContext } from '../portal-env.js';
import { currentUser } from '../portal-env.js';
import { downloadName, readDelimiter } from './export-query.js';
import { addJobRoutes } from './job-routes.js';

const DIRECT_KINDS: readonly JobKind[] = ['movements', 'alerts', 'pins', 'commands', 'report'];

/**
 * Downloads of a depot's records, reached from the buttons on its lists, and
 * the depot's background exports (job-routes.tsx). The guard has checked the
 * user's role on the depot in the path; every query behind a download reads
 * that depot only, with the list's own filter reader (a value it cannot read
 * is left out, as on the list).
 */
export function exportArea(): PortalArea {
  const area = new PortalArea('/depots');
  for (const kind of DIRECT_KINDS) {
    area.get(`/:depotId/exports/${kind}`, depotRole('viewer'), async (c) => {
      const depot = c.get('depot');
      const nowMs = c.get('deps').clock();
      const file = await depotExport(c.get('deps').store.db, {
        kind,
        depot,
        query: c.req.query(),
        lang: c.get('lang'),
        nowMs,
        exportedBy: currentUser(c).username,
      });
      return download(c, file.stream, downloadName(file.name, depot.id, nowMs, file.extension), file.extension);
    });
  }
  addJobRoutes(area);
  return area;
}

/** Who exported when: recorded in the file's filter line, so a copy says where it came from. */
export function exportMeta(c: PortalContext): Record<string, unknown> {
  return { exportedAt: new Date(c.get('deps').clock()).toISOString(), exportedBy: currentUser(c).username };
}

export function download(c: PortalContext, stream: ReadableStream<Uint8Array>, name: string, extension: 'csv' | 'pdf') {
  c.header('Content-Type', extension === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf');
  c.header('Content-Disposition', `attachment; filename="${name}"`);
  c.header('Cache-Control', 'no-store');
  return c.body(stream);
}

/**
 * The audit log's download: the audit page's own query reader and scope
 * (the depots the user owns or manages; operators also entries without a
 * depot), so the file holds exactly the entries the page would list.
 */
export function auditExportArea(): PortalArea {
  const area = new PortalArea('/audit');
  area.get('/export', SIGNED_IN, async (c) => {
    const { store, clock } = c.get('deps');
    const scope = await auditScopeOf(store.db, currentUser(c));
    const { query, errors } = readAuditQuery(scope, (n) => c.req.query(n), c.get('lang'));
    // A filter value the page would refuse (400 there) exports nothing rather than a wider set.
    const bad = Object.keys(errors).length > 0 || (scope.depots.length === 0 && !scope.withoutDepot);
    const { page: _page, pageSize: _size, ...filter } = query;
    const stream = csvExport({
      header: AUDIT_HEADER,
      pages: bad ? emptyPages() : mapPages(auditPages(store.db, scope, filter), auditRow),
      filter: { export: 'audit', ...auditFilterOf(c, scope, query.depot), ...exportMeta(c) },
      delimiter: readDelimiter(c.req.query('delimiter'), c.get('lang')),
    });
    return download(c, stream, downloadName('audit', null, clock(), 'csv'), 'csv');
  });
  return area;
}

/** The filter as asked, with the depot's name when it is one of the user's (the reader knows which depot). */
function auditFilterOf(
  c: PortalContext,
  scope: AuditScope,
  depot: number | 'none' | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name of ['depot', 'action', 'actor', 'from', 'to']) {
    const value = c.req.query(name);
    if (value) record[name] = value;
  }
  const named = scope.depots.find((d) => d.id === depot);
  if (named) record.depotName = named.name;
  return record;
}

async function* emptyPages(): AsyncGenerator<never[]> {}
