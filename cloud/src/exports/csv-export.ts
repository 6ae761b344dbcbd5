import { stringify } from 'csv-stringify/sync';
import { type Delimiter, neutralise } from './csv-cells.js';
import { ExportDigest } from './export-integrity.js';

/** One row as the file shows it: text (neutralised here), numbers, or empty for null. */
export type Cell = string | number | null;

/** What a CSV export is made of: the header, the rows in pages, and the filter that chose them. */
export interface CsvSource {
  readonly header: readonly string[];
  /** Pages of rows from a database iterator (a few thousand each): never the whole export at once. */
  readonly pages: AsyncIterable<readonly (readonly Cell[])[]>;
  /** The filter as the export's last but one line shows it (and the digest covers). */
  readonly filter: Readonly<Record<string, unknown>>;
  readonly delimiter: Delimiter;
  /** Called after each page with the rows written so far (the background job's progress). */
  readonly onProgress?: (rows: number) => void | Promise<void>;
}

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/**
 * The export as a byte stream: BOM (Excel reads UTF-8 only with it), header,
 * rows, a blank line, the filter, the SHA-256 line (export-integrity.ts).
 * Each page is formatted by csv-stringify when the reader pulls, so a slow
 * download holds back the database reads instead of piling rows up in memory.
 */
export function csvExport(source: CsvSource): ReadableStream<Uint8Array> {
  const digest = new ExportDigest();
  const encoder = new TextEncoder();
  const iterator = source.pages[Symbol.asyncIterator]();
  const format = (rows: readonly (readonly Cell[])[]) =>
    stringify(rows as Cell[][], { delimiter: source.delimiter, record_delimiter: 'windows' });
  const signed = (text: string) => {
    const bytes = encoder.encode(text);
    digest.update(bytes);
    return bytes;
  };
  let written = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(BOM);
        controller.enqueue(signed(format([source.header.map(neutralise)])));
        return;
      }
      const next = await iterator.next();
      if (!next.done) {
        if (next.value.length === 0) return;
        controller.enqueue(signed(format(next.value.map((row) => row.map(cell)))));
        written += next.value.length;
        await source.onProgress?.(written);
        return;
      }
      const closing = `\r\n${format([['filter', JSON.stringify(source.filter)]])}`;
      controller.enqueue(signed(closing));
      controller.enqueue(encoder.encode(digest.csvTrailer(source.delimiter)));
      controller.close();
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

function cell(value: Cell): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : neutralise(value);
}
