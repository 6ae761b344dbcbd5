import { AUDIT_HEADER, auditRow } from '../../exports/audit-export.js';
import { csvExport } from '../../exports/csv-export.js';
import { alertExport, commandExport, pinExport, type RecordExport } from '../../exports/depot-records.js';
import { mapPages, movementCsv } from '../../exports/movement-export.js';
import { depotReport, monthWindow } from '../../reports/depot-report.js';
import { auditPages } from '../../store/exports/audit-rows.js';
import { organisationName } from '../../store/exports/report-figures.js';
import { type AuditScope, auditScopeOf } from '../../store/portal/audit-page.js';
import { compartmentsOf } from '../../store/portal/dashboard.js';
import { depotRole, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { readAuditQuery } from '../audit/audit-query.js';
import { readMovementQuery } from '../depot/movement-query.js';
import { localDate } from '../depot/zoned-days.js';
import type { PortalContext } from '../portal-env.js';
import { currentUser } from '../portal-env.js';
import { downloadName, readDelimiter } from './export-query.js';

/**
 * Downloads of a depot's records, reached from the buttons on its lists.
 * The guard has checked the user's role on the depot in the path; every query
 * behind a download reads that depot only, with the list's own filter reader
 * (a value it cannot read is left out, as on the list).
 */
export function exportArea(): PortalArea {
  const area = new PortalArea('/depots');

  area.get('/:depotId/exports/movements', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const { db } = c.get('deps').store;
    const query = readMovementQuery(c.req.query(), depot);
    const compartments = await compartmentsOf(db, [depot.id]);
    const labels = new Map(compartments.filter((cm) => cm.label !== '').map((cm) => [cm.number, cm.label]));
    const stream = movementCsv(
      db,
      { depot, filter: query.filter, labels, lang: c.get('lang'), meta: exportMeta(c) },
      readDelimiter(c.req.query('delimiter'), c.get('lang')),
    );
    return download(c, stream, downloadName('movements', depot.id, c.get('deps').clock(), 'csv'), 'text/csv');
  });

  area.get('/:depotId/exports/pins', depotRole('viewer'), (c) =>
    recordDownload(c, 'pins', pinExport(c.get('deps').store.db, c.get('depot'), c.get('lang'), c.get('deps').clock())),
  );
  area.get('/:depotId/exports/commands', depotRole('viewer'), (c) =>
    recordDownload(
      c,
      'commands',
      commandExport(c.get('deps').store.db, c.get('depot'), c.get('lang'), c.get('deps').clock()),
    ),
  );
  area.get('/:depotId/exports/alerts', depotRole('viewer'), (c) => {
    const depot = c.get('depot');
    const { filter } = readMovementQuery(c.req.query(), depot);
    const { compartment, fromMs, untilMs } = filter;
    const range = {
      ...(compartment !== undefined ? { compartment } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(untilMs !== undefined ? { untilMs } : {}),
    };
    return recordDownload(c, 'alerts', alertExport(c.get('deps').store.db, depot, c.get('lang'), range));
  });

  // The monthly report: `month` (YYYY-MM) in the depot's zone; anything else means the current month.
  area.get('/:depotId/exports/report', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const { store, clock } = c.get('deps');
    const nowMs = clock();
    const asked = c.req.query('month') ?? '';
    const month = monthWindow(asked, depot.timeZone) ? asked : localDate(nowMs, depot.timeZone).slice(0, 7);
    const compartments = await compartmentsOf(store.db, [depot.id]);
    const stream = await depotReport(store.db, {
      depot,
      organisation: await organisationName(store.db, depot.organisationId),
      labels: new Map(compartments.map((cm) => [cm.number, cm.label])),
      month,
      lang: c.get('lang'),
      exportedAtMs: nowMs,
      exportedBy: currentUser(c).username,
    });
    return download(c, stream, downloadName(`report-${month}`, depot.id, nowMs, 'pdf'), 'application/pdf');
  });

  return area;
}

/** A depot record export as a CSV download, with who exported it when in its filter line. */
export function recordDownload(c: PortalContext, kind: string, record: RecordExport) {
  const depot = c.get('depot');
  const stream = csvExport({
    header: record.header,
    pages: record.pages,
    filter: { ...record.filter, ...exportMeta(c) },
    delimiter: readDelimiter(c.req.query('delimiter'), c.get('lang')),
  });
  return download(c, stream, downloadName(kind, depot.id, c.get('deps').clock(), 'csv'), 'text/csv');
}

/** Who exported when: recorded in the file's filter line, so a copy says where it came from. */
export function exportMeta(c: PortalContext): Record<string, unknown> {
  return { exportedAt: new Date(c.get('deps').clock()).toISOString(), exportedBy: currentUser(c).username };
}

export function download(c: PortalContext, stream: ReadableStream<Uint8Array>, name: string, type: string) {
  c.header('Content-Type', type === 'text/csv' ? 'text/csv; charset=utf-8' : type);
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
    return download(c, stream, downloadName('audit', null, clock(), 'csv'), 'text/csv');
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
