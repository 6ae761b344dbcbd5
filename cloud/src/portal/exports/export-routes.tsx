import { movementCsv } from '../../exports/movement-export.js';
import { depotReport, monthWindow } from '../../reports/depot-report.js';
import { organisationName } from '../../store/exports/report-figures.js';
import { compartmentsOf } from '../../store/portal/dashboard.js';
import { depotRole } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
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
