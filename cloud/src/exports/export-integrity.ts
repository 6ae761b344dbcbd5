import { createHash, type Hash } from 'node:crypto';

/*
 * Every export ends with a SHA-256 over everything before it: for a CSV the
 * header, the rows and the filter line; for a PDF every page (the filter is
 * printed in each footer). `keydepot-cloud verify-export` recomputes it, so a
 * copy handed to a tax adviser or a court can be checked years later without
 * the database: one changed byte and the file reads "altered".
 *
 * CSV: the last line is `sha256<delimiter><64 hex>` (CRLF), the line before
 * it `filter<delimiter><JSON>`. The byte-order mark is not hashed (editors add
 * and drop it). PDF: a comment line `%keydepot-sha256 <64 hex>` after %%EOF,
 * which PDF readers skip.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const PDF_MARK = '%keydepot-sha256 ';

/** Hashes what passes through; `trailer` then gives the closing line for the format. */
export class ExportDigest {
  private readonly hash: Hash = createHash('sha256');

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  /** The closing line (hash of everything updated so far); call once. */
  csvTrailer(delimiter: string): string {
    return `sha256${delimiter}${this.hash.digest('hex')}\r\n`;
  }

  pdfTrailer(): string {
    return `\n${PDF_MARK}${this.hash.digest('hex')}\n`;
  }
}

export type Verdict =
  | { readonly state: 'intact'; readonly format: 'csv' | 'pdf'; readonly sha256: string; readonly filter?: string }
  | { readonly state: 'altered'; readonly format: 'csv' | 'pdf'; readonly sha256: string; readonly actual: string }
  | { readonly state: 'unsigned' };

/** Checks a whole export file: intact, altered, or no keydepot export at all. */
export function verifyExport(file: Uint8Array): Verdict {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return verifyPdf(bytes);
  const body = bytes.subarray(0, 3).equals(BOM) ? bytes.subarray(3) : bytes;
  const text = body.toString('latin1').replace(/\r?\n$/, '');
  // latin1 maps one byte to one character, so string positions are byte positions.
  const lineStart = text.lastIndexOf('\n') + 1;
  const match = /^sha256[;,]([0-9a-f]{64})$/.exec(text.slice(lineStart));
  if (!match) return { state: 'unsigned' };
  const signed = body.subarray(0, lineStart);
  const actual = createHash('sha256').update(signed).digest('hex');
  const filter = /(?:^|\n)filter[;,](.*)\r?\n$/.exec(signed.toString('utf8'))?.[1];
  return actual === match[1]
    ? { state: 'intact', format: 'csv', sha256: actual, ...(filter ? { filter } : {}) }
    : { state: 'altered', format: 'csv', sha256: match[1] as string, actual };
}

function verifyPdf(bytes: Buffer): Verdict {
  const text = bytes.toString('latin1');
  const at = text.lastIndexOf(`\n${PDF_MARK}`);
  if (at < 0) return { state: 'unsigned' };
  const recorded = /^([0-9a-f]{64})\n?$/.exec(text.slice(at + 1 + PDF_MARK.length));
  if (!recorded) return { state: 'unsigned' };
  const actual = createHash('sha256').update(bytes.subarray(0, at)).digest('hex');
  const sha256 = recorded[1] as string;
  return actual === sha256
    ? { state: 'intact', format: 'pdf', sha256 }
    : { state: 'altered', format: 'pdf', sha256, actual };
}
