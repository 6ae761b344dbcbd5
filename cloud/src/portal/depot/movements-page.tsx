import type { Depot } from '../../store/depots.js';
import type { CompartmentState } from '../../store/portal/dashboard.js';
import type { MovementPage } from '../../store/portal/movements.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { ExportButtons } from '../exports/export-buttons.js';
import { compartmentName, MovementTable } from './depot-components.js';
import { depotTexts } from './depot-texts.js';
import { EVENT_KINDS, eventName } from './event-texts.js';
import { type MovementQuery, movementHref, type QueryProblem } from './movement-query.js';

const PROBLEM_TEXT = {
  compartment: 'badCompartment',
  kind: 'badKind',
  date: 'badDate',
  range: 'badRange',
  cursor: 'badCursor',
} as const satisfies Record<QueryProblem, keyof (typeof depotTexts)['en']>;

/** The movement list: a GET filter form (works without script), the table, and keyset page links. */
export function MovementsPage(props: {
  view: View;
  depot: Depot;
  compartments: readonly CompartmentState[];
  query: MovementQuery;
  page: MovementPage;
}) {
  const { view, depot, query, page } = props;
  const t = depotTexts[view.lang];
  const labels = new Map(props.compartments.map((c) => [c.number, c.label]));
  const problems = [...new Set(query.problems)].map((p) => t[PROBLEM_TEXT[p]]);
  return (
    <Layout view={view} title={t.movementsTitle(depot.name)}>
      <p>
        <a href={`/depots/${depot.id}`}>← {depot.name}</a>
      </p>
      <h1>{t.movementsTitle(depot.name)}</h1>
      {problems.length > 0 ? (
        <div class="error-summary" role="alert">
          <p>
            {t.badFilter} {problems.join(', ')}
          </p>
        </div>
      ) : null}
      <form method="get" action={`/depots/${depot.id}/movements`} class="filters">
        <div class="field">
          <label for="filter-compartment">{t.filterCompartment}</label>
          <select id="filter-compartment" name="compartment">
            <option value="">{t.all}</option>
            {[0, ...props.compartments.map((c) => c.number)].map((n) => (
              <option value={String(n)} selected={query.form.compartment === String(n)}>
                {compartmentName(view, n, labels.get(n))}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-kind">{t.filterKind}</label>
          <select id="filter-kind" name="kind">
            <option value="">{t.all}</option>
            {EVENT_KINDS.map((k) => (
              <option value={String(k)} selected={query.form.kind === String(k)}>
                {eventName(view.lang, k)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-from">{t.filterFrom}</label>
          <input id="filter-from" name="from" type="date" value={query.form.from} />
        </div>
        <div class="field">
          <label for="filter-to">{t.filterTo}</label>
          <input id="filter-to" name="to" type="date" value={query.form.to} />
        </div>
        <button type="submit" class="primary">
          {t.apply}
        </button>
        <a href={`/depots/${depot.id}/movements`}>{t.reset}</a>
      </form>
      <p class="muted">{t.timesIn(depot.timeZone)}</p>
      <ExportButtons
        view={view}
        action={`/depots/${depot.id}/exports/movements`}
        filter={query.form}
        pdf={`/depots/${depot.id}/exports/report${query.form.from ? `?month=${query.form.from.slice(0, 7)}` : ''}`}
        background={{
          depotId: depot.id,
          kinds: [
            { kind: 'movements', label: 'CSV' },
            { kind: 'report', label: 'PDF', ...(query.form.from ? { month: query.form.from.slice(0, 7) } : {}) },
          ],
        }}
      />
      <ExportButtons
        view={view}
        action={`/depots/${depot.id}/exports/alerts`}
        filter={{ compartment: query.form.compartment, from: query.form.from, to: query.form.to }}
        what={t.alertsExport}
      />
      <MovementTable view={view} rows={page.rows} timeZone={depot.timeZone} labels={labels} />
      <nav class="pager" aria-label={t.allMovements}>
        {page.newer ? <a href={movementHref(depot.id, query.form)}>{t.newest}</a> : null}
        {page.newer ? (
          <a rel="prev" href={movementHref(depot.id, query.form, { after: page.newer })}>
            {t.newer}
          </a>
        ) : null}
        {page.older ? (
          <a rel="next" href={movementHref(depot.id, query.form, { before: page.older })}>
            {t.older}
          </a>
        ) : null}
      </nav>
    </Layout>
  );
}
