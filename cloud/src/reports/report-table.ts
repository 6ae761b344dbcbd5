import { fitText, PAGE, type Pdf } from './pdf-export.js';

/** One column of a report table: its heading and its share of the page width. */
export interface Column {
  readonly heading: string;
  readonly width: number;
}

/** Rows per table page: fixed (one line each), so the page count is known before the first row is read. */
export const ROWS_PER_PAGE = 50;
const ROW_HEIGHT = 13;
const TABLE_TOP = PAGE.margin + 26;

/** Pages a table of `rows` rows takes (an empty table still has its page, saying so). */
export function tablePages(rows: number): number {
  return Math.max(1, Math.ceil(rows / ROWS_PER_PAGE));
}

/**
 * Writes a table across pages: each page opens with the section title and the
 * column headings again, then up to ROWS_PER_PAGE rows; `newPage` adds the
 * page (with its footer). Rows arrive in pages from the database.
 */
export class ReportTable {
  private onPage = ROWS_PER_PAGE;
  private y = 0;
  private pages = 0;

  constructor(
    private readonly doc: Pdf,
    private readonly title: string,
    private readonly continued: string,
    private readonly columns: readonly Column[],
    private readonly newPage: () => void,
  ) {}

  row(cells: readonly string[]): void {
    if (this.onPage === ROWS_PER_PAGE) this.startPage();
    const { doc } = this;
    if (this.onPage % 2 === 1)
      doc.rect(PAGE.margin, this.y - 2, PAGE.width - 2 * PAGE.margin, ROW_HEIGHT).fill('#f2f4f7');
    doc.fillColor('#111').font('Helvetica').fontSize(8);
    let x = PAGE.margin + 2;
    for (const [i, column] of this.columns.entries()) {
      doc.text(fitText(doc, cells[i] ?? '', column.width - 6), x, this.y, { lineBreak: false });
      x += column.width;
    }
    this.y += ROW_HEIGHT;
    this.onPage += 1;
  }

  /** Ends the table; an empty one gets its page with `empty` written on it. */
  end(empty: string, note?: string): void {
    if (this.pages === 0) {
      this.startPage();
      this.doc.font('Helvetica-Oblique').fontSize(9).fillColor('#444').text(empty, PAGE.margin, this.y);
    } else if (note) {
      this.doc
        .font('Helvetica-Oblique')
        .fontSize(8)
        .fillColor('#444')
        .text(note, PAGE.margin, this.y + 4);
    }
  }

  private startPage(): void {
    const { doc } = this;
    this.newPage();
    this.pages += 1;
    doc.font('Helvetica-Bold').fontSize(13).fillColor('#111');
    doc.text(this.pages === 1 ? this.title : `${this.title} ${this.continued}`, PAGE.margin, PAGE.margin, {
      lineBreak: false,
    });
    doc.rect(PAGE.margin, TABLE_TOP - 3, PAGE.width - 2 * PAGE.margin, ROW_HEIGHT + 2).fill('#1f3a5f');
    doc.font('Helvetica-Bold').fontSize(8).fillColor('#fff');
    let x = PAGE.margin + 2;
    for (const column of this.columns) {
      doc.text(fitText(doc, column.heading, column.width - 6), x, TABLE_TOP, { lineBreak: false });
      x += column.width;
    }
    this.y = TABLE_TOP + ROW_HEIGHT + 3;
    this.onPage = 0;
  }
}

/** A footer line on the current page: what, when, which filter, and the page number. */
export function footer(doc: Pdf, left: string, right: string): void {
  const y = PAGE.height - PAGE.margin + 8;
  doc
    .moveTo(PAGE.margin, y - 4)
    .lineTo(PAGE.width - PAGE.margin, y - 4)
    .lineWidth(0.5)
    .stroke('#999');
  doc.font('Helvetica').fontSize(7).fillColor('#444');
  const rightWidth = doc.widthOfString(right);
  doc.text(fitText(doc, left, PAGE.width - 2 * PAGE.margin - rightWidth - 12), PAGE.margin, y, { lineBreak: false });
  doc.text(right, PAGE.width - PAGE.margin - rightWidth, y, { lineBreak: false });
}
