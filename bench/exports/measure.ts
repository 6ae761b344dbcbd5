/**
 * One measurement in its own process, so its peak RSS is its own: reads a
 * depot's movements of November 2026 the way the export does (`read`: keyset
 * pages, rows counted), or writes the movement CSV or the monthly report PDF
 * and throws the bytes away. Prints one JSON line: seconds, rows or bytes, peak RSS.
 *
 *   tsx bench/exports/measure.ts <read|csv|pdf> <database URL> <depot id>
 */
import { movementCsv } from '../../cloud/src/exports/movement-export.js';
import { depotReport } from '../../cloud/src/reports/depot-report.js';
import { openDatabase } from '../../cloud/src/store/database.js';
import { requireDepot } from '../../cloud/src/store/depots.js';
import { movementPages } from '../../cloud/src/store/exports/movement-rows.js';

const [mode, url, depotArg] = process.argv.slice(2);
const store = openDatabase(url as string, { mysqlPoolSize: 2 });
const depot = await requireDepot(store.db, Number(depotArg));
const filter = { fromMs: Date.UTC(2026, 9, 31, 23), untilMs: Date.UTC(2026, 10, 30, 23) };

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.byteLength;
  return bytes;
}

// What the process holds before the export starts (Node, tsx's loader thread, the modules, the pool).
const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
let rows = 0;
let bytes = 0;
if (mode === 'read') {
  for await (const page of movementPages(store.db, depot.id, filter)) rows += page.length;
} else if (mode === 'csv') {
  const stream = movementCsv(store.db, { depot, filter, labels: new Map(), lang: 'de', meta: {} }, ';', (n) => {
    rows = n;
  });
  bytes = await drain(stream);
} else if (mode === 'pdf') {
  const stream = await depotReport(store.db, {
    depot,
    organisation: 'Bench GmbH',
    labels: new Map(),
    month: '2026-11',
    lang: 'de',
    exportedAtMs: Date.now(),
    exportedBy: 'bench',
    onProgress: (n) => {
      rows = n;
    },
  });
  bytes = await drain(stream);
} else throw new Error(`unknown mode ${mode}`);
const seconds = (performance.now() - started) / 1000;
await store.close();
// maxRSS is in kilobytes (kibibytes on Linux).
console.log(
  JSON.stringify({ mode, seconds, rows, bytes, rssBeforeMb, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
);
