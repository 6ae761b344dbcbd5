import { fitText, PAGE, type Pdf } from './pdf-export.js';

/** One bar: its label under the axis and its value over the bar. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/**
 * A bar chart drawn with vector paths at (x, y), `height` tall across the
 * page's text width: a title, bars scaled to the largest value, each value on
 * its bar (a printed report has no hover), labels under the axis.
 */
export function barChart(doc: Pdf, input: { title: string; bars: readonly Bar[]; y: number; height: number }): void {
  const { bars } = input;
  const left = PAGE.margin + 24;
  const width = PAGE.width - PAGE.margin - left;
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .fillColor('#111')
    .text(input.title, PAGE.margin, input.y, { lineBreak: false });
  const top = input.y + 24;
  const axis = top + input.height;
  // A top that is four whole steps, so every gridline has a whole number.
  const max = 4 * Math.ceil(Math.max(1, ...bars.map((b) => b.value)) / 4);
  // Gridlines at quarter steps of the largest value, labelled on the left.
  doc.font('Helvetica').fontSize(6.5).fillColor('#666');
  for (let step = 0; step <= 4; step++) {
    const y = axis - (input.height * step) / 4;
    doc
      .moveTo(left, y)
      .lineTo(left + width, y)
      .lineWidth(0.3)
      .stroke('#ccc');
    const value = String((max * step) / 4);
    doc.fillColor('#666').text(value, left - 4 - doc.widthOfString(value), y - 3, { lineBreak: false });
  }
  const slot = width / Math.max(1, bars.length);
  const barWidth = Math.max(2, slot * 0.7);
  for (const [i, bar] of bars.entries()) {
    const x = left + i * slot + (slot - barWidth) / 2;
    const h = (input.height * bar.value) / max;
    if (bar.value > 0) doc.rect(x, axis - h, barWidth, h).fill('#2f6db5');
    doc
      .font('Helvetica')
      .fontSize(slot < 16 ? 5.5 : 7)
      .fillColor('#111');
    if (bar.value > 0) {
      const text = String(bar.value);
      doc.text(text, x + barWidth / 2 - doc.widthOfString(text) / 2, axis - h - 8, { lineBreak: false });
    }
    const label = fitText(doc, bar.label, slot);
    doc.fillColor('#333').text(label, x + barWidth / 2 - doc.widthOfString(label) / 2, axis + 3, { lineBreak: false });
  }
  doc
    .moveTo(left, axis)
    .lineTo(left + width, axis)
    .lineWidth(0.8)
    .stroke('#333');
}
