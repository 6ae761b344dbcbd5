import type { Kysely } from 'kysely';
import { eventName } from '../portal/depot/event-texts.js';
import type { Language } from '../portal/i18n/language.js';
import { movementPages } from '../store/exports/movement-rows.js';
import type { Movement, MovementFilter } from '../store/portal/movements.js';
import type { Schema } from '../store/schema.js';
import { type Delimiter, isoLocal, isoUtc } from './csv-cells.js';
import { type Cell, csvExport } from './csv-export.js';
import { exportTexts } from './export-texts.js';

/** The depot an export is about, as the guard found it. */
export interface ExportDepot {
  readonly id: number;
  readonly name: string;
  readonly timeZone: string;
}

export interface MovementExport {
  readonly depot: ExportDepot;
  readonly filter: MovementFilter;
  /** Compartment labels by number, as the depot's settings name them. */
  readonly labels: ReadonlyMap<number, string>;
  readonly lang: Language;
  /** What the file's filter line records besides the filter: who exported when. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Header of the movement CSV in the export's language. */
export function movementHeader(lang: Language): string[] {
  const t = exportTexts[lang];
  return [
    t.id,
    t.timeUtc,
    t.timeLocal,
    t.receivedUtc,
    t.depotId,
    t.depot,
    t.compartment,
    t.compartmentLabel,
    t.kindCode,
    t.kind,
    t.subject,
  ];
}

/** One movement as a CSV row; a depot clock that was unknown (0) leaves both depot times empty. */
export function movementRow(m: Movement, input: MovementExport): Cell[] {
  const known = m.depotTimeMs > 0;
  return [
    m.id,
    known ? isoUtc(m.depotTimeMs) : null,
    known ? isoLocal(m.depotTimeMs, input.depot.timeZone) : null,
    isoUtc(m.receivedAtMs),
    input.depot.id,
    input.depot.name,
    m.compartment,
    input.labels.get(m.compartment) ?? '',
    m.kind,
    eventName(input.lang, m.kind),
    m.subject,
  ];
}

/** The filter as an export records it (and its digest covers): readable, with the depot's local dates. */
export function movementFilterRecord(input: MovementExport): Record<string, unknown> {
  const { filter } = input;
  return {
    export: 'movements',
    depotId: input.depot.id,
    depot: input.depot.name,
    timeZone: input.depot.timeZone,
    ...(filter.compartment !== undefined ? { compartment: filter.compartment } : {}),
    ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
    ...(filter.fromMs !== undefined ? { from: isoLocal(filter.fromMs, input.depot.timeZone) } : {}),
    ...(filter.untilMs !== undefined ? { until: isoLocal(filter.untilMs, input.depot.timeZone) } : {}),
    ...input.meta,
  };
}

/** The movement CSV, streamed page by page from the database. */
export function movementCsv(
  db: Kysely<Schema>,
  input: MovementExport,
  delimiter: Delimiter,
  onProgress?: (rows: number) => void | Promise<void>,
): ReadableStream<Uint8Array> {
  return csvExport({
    header: movementHeader(input.lang),
    pages: mapPages(movementPages(db, input.depot.id, input.filter), (m) => movementRow(m, input)),
    filter: movementFilterRecord(input),
    delimiter,
    ...(onProgress ? { onProgress } : {}),
  });
}

export async function* mapPages<T>(pages: AsyncIterable<T[]>, row: (item: T) => Cell[]): AsyncGenerator<Cell[][]> {
  for await (const page of pages) yield page.map(row);
}
