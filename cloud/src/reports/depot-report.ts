import { EventKind } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { isoLocal, isoUtc } from '../exports/csv-cells.js';
import { eventName } from '../portal/depot/event-texts.js';
import { countPerDay } from '../portal/depot/withdrawal-chart.js';
import { addDays, dayStartMs } from '../portal/depot/zoned-days.js';
import type { Language } from '../portal/i18n/language.js';
import { movementPages } from '../store/exports/movement-rows.js';
import {
  ALERT_EVENT_KINDS,
  alertEvents,
  countsByKind,
  newestEventId,
  withdrawalsByCompartment,
} from '../store/exports/report-figures.js';
import { withdrawalsByQuarterHour } from '../store/portal/depot-page.js';
import type { Schema } from '../store/schema.js';
import { barChart } from './bar-chart.js';
import { PAGE, type Pdf, pdfExport, printable } from './pdf-export.js';
import { footer, ReportTable, tablePages } from './report-table.js';
import { reportTexts } from './report-texts.js';

export interface DepotReportInput {
  readonly depot: { id: number; name: string; address: string; timeZone: string; compartmentCount: number };
  readonly organisation: string;
  readonly labels: ReadonlyMap<number, string>;
  /** 'YYYY-MM': the calendar month in the depot's time zone. */
  readonly month: string;
  readonly lang: Language;
  readonly exportedAtMs: number;
  readonly exportedBy: string;
  /** Called after each page of movements with the rows written so far (a background job's progress). */
  readonly onProgress?: (rows: number) => void | Promise<void>;
}

/** '2026-11' → its first local day and the next month's, as instants in the zone. */
export function monthWindow(
  month: string,
  timeZone: string,
): { fromMs: number; untilMs: number; days: string[] } | null {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return null;
  const first = `${month}-01`;
  const fromMs = dayStartMs(first, timeZone);
  if (fromMs === null) return null;
  const days: string[] = [];
  for (let day = first; day.startsWith(month); day = addDays(day, 1)) days.push(day);
  const untilMs = dayStartMs(addDays(first, days.length), timeZone) as number;
  return { fromMs, untilMs, days };
}

/** Depot time as a reader of the language writes it: '01.11.2026 08:00:05' / '2026-11-01 08:00:05'. */
function localTime(lang: Language, ms: number, timeZone: string): string {
  const iso = isoLocal(ms, timeZone);
  const [date = '', time = ''] = [iso.slice(0, 10), iso.slice(11, 19)];
  return lang === 'de' ? `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)} ${time}` : `${date} ${time}`;
}

/**
 * The monthly depot report as a PDF stream: cover with the summary figures,
 * a page of charts (withdrawals per day and per compartment), the movement
 * table (repeated headings on every page), the alerts, and on every page a
 * footer with the export's time, its filter and "page n of N". The figures
 * and the table read the same rows (up to the newest event id at the start),
 * so N is known before the first page is written.
 */
export async function depotReport(db: Kysely<Schema>, input: DepotReportInput): Promise<ReadableStream<Uint8Array>> {
  const { depot, lang } = input;
  const t = reportTexts[lang];
  const window = monthWindow(input.month, depot.timeZone);
  if (!window) throw new RangeError(`not a month: ${input.month}`);
  const upToId = await newestEventId(db, depot.id);
  const [counts, byCompartment, buckets, alerts] = await Promise.all([
    countsByKind(db, depot.id, window.fromMs, window.untilMs, upToId),
    withdrawalsByCompartment(db, depot.id, window.fromMs, window.untilMs),
    withdrawalsByQuarterHour(db, depot.id, window.fromMs, window.untilMs),
    alertEvents(db, depot.id, window.fromMs, window.untilMs),
  ]);
  const perDay = countPerDay(window.days, buckets, depot.timeZone);
  const count = (kind: number) => counts.get(kind) ?? 0;
  const movements = [...counts.values()].reduce((a, b) => a + b, 0);
  const alertTotal = ALERT_EVENT_KINDS.reduce((sum, kind) => sum + count(kind), 0);
  const totalPages = 2 + tablePages(movements) + tablePages(alerts.length);

  const periodName = new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: depot.timeZone,
  }).format(window.fromMs + 43_200_000);
  const lastDay = window.days[window.days.length - 1] as string;
  const period = `${periodName} (${localTime(lang, window.fromMs, depot.timeZone).slice(0, 10)} – ${localTime(lang, dayStartMs(lastDay, depot.timeZone) as number, depot.timeZone).slice(0, 10)})`;
  const exportedAt = `${localTime(lang, input.exportedAtMs, depot.timeZone)} (${isoUtc(input.exportedAtMs)})`;
  const filter = { export: 'depot-report', depotId: depot.id, month: input.month, timeZone: depot.timeZone };
  const filterText = `${t.depot} ${depot.id}, ${t.period} ${input.month}`;
  const compartmentName = (n: number) => {
    if (n === 0) return t.wholeDepot;
    const label = input.labels.get(n);
    return label ? `${t.compartment} ${n} · ${label}` : `${t.compartment} ${n}`;
  };

  return pdfExport(
    {
      title: `${t.monthlyTitle} ${input.month} · ${depot.name}`,
      subject: `${input.organisation} · ${depot.name} · ${period}`,
      keywords: JSON.stringify({ ...filter, exportedAt: isoUtc(input.exportedAtMs), exportedBy: input.exportedBy }),
      lang,
    },
    async (doc, readerReady) => {
      let page = 0;
      const newPage = () => {
        doc.addPage();
        // The footer sits below the text area: without this pdfkit would open a page for it.
        doc.page.margins.bottom = 0;
        page += 1;
        footer(
          doc,
          `keydepot · ${depot.name} · ${t.exportedAt} ${localTime(lang, input.exportedAtMs, depot.timeZone)} · ${t.filter}: ${filterText}`,
          t.page(page, totalPages),
        );
      };

      newPage();
      cover(doc, input, { period, exportedAt, filterText });
      summary(doc, t, [
        [t.movements, movements],
        [t.withdrawals, perDay.reduce((sum, d) => sum + d.count, 0)],
        [t.pinsAccepted, count(EventKind.PinAccepted)],
        [t.pinsRejected, count(EventKind.PinRejected)],
        [t.doorsOpened, count(EventKind.DoorOpened)],
        [t.tamper, count(EventKind.Tamper)],
        [t.doorLeftOpen, count(EventKind.DoorLeftOpen)],
        [t.lockouts, count(EventKind.LockoutStarted)],
      ]);
      doc
        .font('Helvetica-Oblique')
        .fontSize(8)
        .fillColor('#444')
        .text(t.integrity, PAGE.margin, 720, {
          width: PAGE.width - 2 * PAGE.margin,
        });

      newPage();
      barChart(doc, {
        title: t.perDay,
        bars: perDay.map((d) => ({ label: d.date.slice(8, 10), value: d.count })),
        y: PAGE.margin,
        height: 230,
      });
      const numbers = Array.from({ length: depot.compartmentCount }, (_, i) => i + 1);
      barChart(doc, {
        title: t.perCompartment,
        bars: numbers.map((n) => ({ label: input.labels.get(n) || String(n), value: byCompartment.get(n) ?? 0 })),
        y: PAGE.margin + 330,
        height: 230,
      });

      const table = new ReportTable(
        doc,
        t.movementTable,
        t.continued,
        [
          { heading: t.time, width: 92 },
          { heading: t.received, width: 92 },
          { heading: t.compartment, width: 95 },
          { heading: t.event, width: 110 },
          { heading: t.subject, width: PAGE.width - 2 * PAGE.margin - 389 },
        ],
        newPage,
      );
      const filterOfList = { fromMs: window.fromMs, untilMs: window.untilMs };
      let written = 0;
      for await (const rows of movementPages(db, depot.id, filterOfList, { upToId })) {
        for (const m of rows) {
          table.row([
            m.depotTimeMs > 0 ? localTime(lang, m.depotTimeMs, depot.timeZone) : '–',
            isoUtc(m.receivedAtMs).slice(0, 19).replace('T', ' '),
            compartmentName(m.compartment),
            eventName(lang, m.kind),
            m.subject,
          ]);
        }
        written += rows.length;
        await input.onProgress?.(written);
        await readerReady();
      }
      table.end(t.noMovements);

      const alertTable = new ReportTable(
        doc,
        t.alerts,
        t.continued,
        [
          { heading: t.time, width: 110 },
          { heading: t.compartment, width: 140 },
          { heading: t.event, width: PAGE.width - 2 * PAGE.margin - 250 },
        ],
        newPage,
      );
      for (const a of alerts) {
        alertTable.row([
          localTime(lang, a.depotTimeMs, depot.timeZone),
          compartmentName(a.compartment),
          eventName(lang, a.kind),
        ]);
      }
      alertTable.end(t.noAlerts, alertTotal > alerts.length ? t.alertsCut(alerts.length, alertTotal) : undefined);
    },
  );
}

function cover(
  doc: Pdf,
  input: DepotReportInput,
  text: { period: string; exportedAt: string; filterText: string },
): void {
  const t = reportTexts[input.lang];
  doc.rect(0, 0, PAGE.width, 150).fill('#1f3a5f');
  doc.font('Helvetica-Bold').fontSize(26).fillColor('#fff').text(t.monthlyTitle, PAGE.margin, 52, { lineBreak: false });
  doc
    .font('Helvetica')
    .fontSize(14)
    .text(printable(`${input.depot.name} · ${text.period}`), PAGE.margin, 92, {
      lineBreak: false,
    });
  const rows: Array<[string, string]> = [
    [t.organisation, input.organisation],
    [t.depot, `${input.depot.name} (${input.depot.id})`],
    [t.address, input.depot.address || '–'],
    [t.period, text.period],
    [t.timeZone, input.depot.timeZone],
    [t.exportedAt, text.exportedAt],
    [t.exportedBy, input.exportedBy],
    [t.filter, text.filterText],
  ];
  let y = 180;
  for (const [label, value] of rows) {
    doc.font('Helvetica-Bold').fontSize(10).fillColor('#333').text(label, PAGE.margin, y, { lineBreak: false });
    doc
      .font('Helvetica')
      .fillColor('#111')
      .text(printable(value), PAGE.margin + 130, y, {
        width: PAGE.width - 2 * PAGE.margin - 130,
        height: 28,
        ellipsis: true,
      });
    y += 20;
  }
}

function summary(doc: Pdf, t: (typeof reportTexts)['en'], figures: ReadonlyArray<[string, number]>): void {
  let y = 370;
  doc.font('Helvetica-Bold').fontSize(14).fillColor('#111').text(t.summary, PAGE.margin, y, { lineBreak: false });
  y += 26;
  for (const [label, value] of figures) {
    doc
      .moveTo(PAGE.margin, y + 15)
      .lineTo(PAGE.width - PAGE.margin, y + 15)
      .lineWidth(0.3)
      .stroke('#ccc');
    doc.font('Helvetica').fontSize(10).fillColor('#111').text(label, PAGE.margin, y, { lineBreak: false });
    const number = String(value);
    doc.font('Helvetica-Bold').text(number, PAGE.width - PAGE.margin - doc.widthOfString(number), y, {
      lineBreak: false,
    });
    y += 22;
  }
}
