import { CsrfField } from '../components/forms.js';
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
    background: (what: string) => `${what} in the background`,
    exportsList: 'Exports of this depot',
  },
  de: {
    export: 'Exportieren',
    exportOf: (what: string) => `${what} exportieren`,
    csvSemicolon: 'CSV (;, deutsches Excel)',
    csvComma: 'CSV (,)',
    pdfReport: 'Monatsbericht (PDF)',
    exportNote: 'Exporte enthalten alle Zeilen des aktuellen Filters, nicht nur diese Seite.',
    background: (what: string) => `${what} im Hintergrund erstellen`,
    exportsList: 'Exporte dieses Depots',
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
  /** Background exports of this depot: one button per kind, with its label ('CSV', 'PDF'). */
  background?: { depotId: number; kinds: ReadonlyArray<{ kind: string; label: string; month?: string }> };
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
      {props.background ? (
        <>
          {props.background.kinds.map((k) => (
            <form method="post" action={`/depots/${props.background?.depotId}/exports/jobs`} class="inline">
              <CsrfField view={props.view} />
              <input type="hidden" name="export" value={k.kind} />
              {Object.entries(props.filter)
                .filter(([, value]) => value !== '')
                .map(([name, value]) => (
                  <input type="hidden" name={name} value={value} />
                ))}
              {k.month ? <input type="hidden" name="month" value={k.month} /> : null}
              <button type="submit">{t.background(k.label)}</button>
            </form>
          ))}{' '}
          <a href={`/depots/${props.background.depotId}/exports/jobs`}>{t.exportsList}</a>
        </>
      ) : null}
      <p class="muted">{t.exportNote}</p>
    </section>
  );
}
