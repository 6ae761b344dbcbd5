import type { View } from '../components/view.js';
import { defineTexts } from '../i18n/language.js';

export const exportButtonTexts = defineTexts({
  en: {
    export: 'Export',
    exportOf: (what: string) => `Export ${what}`,
    csvSemicolon: 'CSV (;, German Excel)',
    csvComma: 'CSV (,)',
    pdfReport: 'Monthly report (PDF)',
    exportNote: 'Exports contain every row of the current filter, not only this page.',
  },
  de: {
    export: 'Exportieren',
    exportOf: (what: string) => `${what} exportieren`,
    csvSemicolon: 'CSV (;, deutsches Excel)',
    csvComma: 'CSV (,)',
    pdfReport: 'Monatsbericht (PDF)',
    exportNote: 'Exporte enthalten alle Zeilen des aktuellen Filters, nicht nur diese Seite.',
  },
});

/**
 * The export links of a list: the same filter as the list shows (its query
 * values), as CSV with either separator; PDF where the kind has a report.
 */
export function ExportButtons(props: {
  view: View;
  /** The download route, e.g. /depots/7/exports/movements. */
  action: string;
  /** The list's filter as its form holds it ('' = not set). */
  filter: Readonly<Record<string, string>>;
  pdf?: string;
  /** What is exported, when the page has more than one list ('Befehle'). */
  what?: string;
}) {
  const t = exportButtonTexts[props.view.lang];
  const href = (delimiter: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(props.filter)) if (value !== '') params.set(name, value);
    params.set('delimiter', delimiter);
    return `${props.action}?${params.toString()}`;
  };
  return (
    <section class="exports" aria-label={props.what ? t.exportOf(props.what) : t.export}>
      <span>{props.what ? t.exportOf(props.what) : t.export}:</span> <a href={href('semicolon')}>{t.csvSemicolon}</a> ·{' '}
      <a href={href('comma')}>{t.csvComma}</a>
      {props.pdf ? (
        <>
          {' '}
          · <a href={props.pdf}>{t.pdfReport}</a>
        </>
      ) : null}
      <p class="muted">{t.exportNote}</p>
    </section>
  );
}
