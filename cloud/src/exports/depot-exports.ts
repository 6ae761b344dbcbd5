import type { Kysely } from 'kysely';
import { readMovementQuery } from '../portal/depot/movement-query.js';
import { localDate } from '../portal/depot/zoned-days.js';
import { readDelimiter } from '../portal/exports/export-query.js';
import type { Language } from '../portal/i18n/language.js';
import { depotReport, monthWindow } from '../reports/depot-report.js';
import type { JobKind } from '../store/exports/export-jobs.js';
import { organisationName } from '../store/exports/report-figures.js';
import { compartmentsOf } from '../store/portal/dashboard.js';
import type { Schema } from '../store/schema.js';
import { csvExport } from './csv-export.js';
import { alertExport, commandExport, pinExport } from './depot-records.js';
import { movementCsv } from './movement-export.js';

/** The depot an export is of, as the guard (or the runner, from the job) found it. */
export interface DepotOfExport {
  readonly id: number;
  readonly organisationId: number;
  readonly name: string;
  readonly address: string;
  readonly timeZone: string;
  readonly compartmentCount: number;
}

export interface DepotExportRequest {
  readonly kind: JobKind;
  readonly depot: DepotOfExport;
  /** The list's query values as given (read by the list's own reader here). */
  readonly query: Readonly<Record<string, string>>;
  readonly lang: Language;
  readonly nowMs: number;
  readonly exportedBy: string;
  readonly onProgress?: (rows: number) => void | Promise<void>;
}

/** File name parts and content of one export of a depot. */
export interface DepotExport {
  readonly extension: 'csv' | 'pdf';
  readonly name: string;
  readonly stream: ReadableStream<Uint8Array>;
}

/**
 * Any export of one depot, from the list's query values: the same for a
 * download at once and for a background job, so both give the same file.
 * Only the given depot is read; the caller has checked the user's role on it.
 */
export async function depotExport(db: Kysely<Schema>, request: DepotExportRequest): Promise<DepotExport> {
  const { depot, lang, query, nowMs } = request;
  const meta = { exportedAt: new Date(nowMs).toISOString(), exportedBy: request.exportedBy };
  const progress = request.onProgress ? { onProgress: request.onProgress } : {};
  if (request.kind === 'report') {
    const asked = query.month ?? '';
    const month = monthWindow(asked, depot.timeZone) ? asked : localDate(nowMs, depot.timeZone).slice(0, 7);
    const compartments = await compartmentsOf(db, [depot.id]);
    const stream = await depotReport(db, {
      depot,
      organisation: await organisationName(db, depot.organisationId),
      labels: new Map(compartments.map((cm) => [cm.number, cm.label])),
      month,
      lang,
      exportedAtMs: nowMs,
      exportedBy: request.exportedBy,
      ...progress,
    });
    return { extension: 'pdf', name: `report-${month}`, stream };
  }
  const delimiter = readDelimiter(query.delimiter, lang);
  if (request.kind === 'movements') {
    const compartments = await compartmentsOf(db, [depot.id]);
    const labels = new Map(compartments.filter((cm) => cm.label !== '').map((cm) => [cm.number, cm.label]));
    const { filter } = readMovementQuery(query, depot);
    const stream = movementCsv(db, { depot, filter, labels, lang, meta }, delimiter, request.onProgress);
    return { extension: 'csv', name: 'movements', stream };
  }
  let record: ReturnType<typeof pinExport>;
  if (request.kind === 'pins') record = pinExport(db, depot, lang, nowMs);
  else if (request.kind === 'commands') record = commandExport(db, depot, lang, nowMs);
  else {
    const { compartment, fromMs, untilMs } = readMovementQuery(query, depot).filter;
    record = alertExport(db, depot, lang, {
      ...(compartment !== undefined ? { compartment } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(untilMs !== undefined ? { untilMs } : {}),
    });
  }
  const stream = csvExport({ ...record, filter: { ...record.filter, ...meta }, delimiter, ...progress });
  return { extension: 'csv', name: request.kind, stream };
}
