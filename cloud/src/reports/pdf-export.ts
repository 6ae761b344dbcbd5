import PDFDocument from 'pdfkit';
import { ExportDigest } from '../exports/export-integrity.js';

export type Pdf = PDFKit.PDFDocument;

/** A4 in points, and the margins every page of ours keeps. */
export const PAGE = { width: 595.28, height: 841.89, margin: 48, footer: 40 } as const;

/**
 * A PDF written page by page into a byte stream that ends with the
 * export's SHA-256 line (export-integrity.ts). `write` gets the document and
 * `readerReady`, which it awaits between database pages: pdfkit pushes bytes
 * as each page is finished, and waiting for the reader keeps a slow download
 * from filling memory with pages. Pages are not buffered (no bufferPages), so
 * memory holds one page, whatever the length.
 */
export function pdfExport(
  info: { title: string; subject: string; keywords: string; lang: 'de' | 'en' },
  write: (doc: Pdf, readerReady: () => Promise<void>) => Promise<void>,
): ReadableStream<Uint8Array> {
  const digest = new ExportDigest();
  const waiting: Array<() => void> = [];
  let stream: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const readerReady = async () => {
    while (!cancelled && (stream.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => waiting.push(resolve));
    if (cancelled) throw new ExportCancelled();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream = controller;
        const doc = new PDFDocument({
          size: 'A4',
          margin: PAGE.margin,
          autoFirstPage: false,
          lang: info.lang === 'de' ? 'de-DE' : 'en-GB',
          displayTitle: true,
          info: {
            Title: info.title,
            Subject: info.subject,
            Keywords: info.keywords,
            Creator: 'keydepot',
            Producer: 'keydepot',
          },
        });
        doc.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          digest.update(chunk);
          controller.enqueue(new Uint8Array(chunk));
        });
        doc.on('end', () => {
          if (cancelled) return;
          controller.enqueue(new TextEncoder().encode(digest.pdfTrailer()));
          controller.close();
        });
        write(doc, readerReady).then(
          () => doc.end(),
          (error: unknown) => {
            if (!(error instanceof ExportCancelled)) controller.error(error);
          },
        );
      },
      pull() {
        for (const resolve of waiting.splice(0)) resolve();
      },
      cancel() {
        cancelled = true;
        for (const resolve of waiting.splice(0)) resolve();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
  );
}

class ExportCancelled extends Error {}

/**
 * pdfkit's built-in Helvetica knows Windows-1252 only: German umlauts, ß and
 * € print, anything else would come out as garbage, so it is shown as '?'.
 */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\u00a0-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]/g, '?');
}

/** Cuts text to fit `width` at the current font and size, ending in '…'. */
export function fitText(doc: Pdf, text: string, width: number): string {
  const clean = printable(text);
  if (doc.widthOfString(clean) <= width) return clean;
  let lo = 0;
  let hi = clean.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.widthOfString(`${clean.slice(0, mid)}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${clean.slice(0, lo)}…`;
}
