import type { Dashboard, DashboardDepot } from '../../store/portal/dashboard.js';
import type { Movement } from '../../store/portal/movements.js';
import type { DepotRole } from '../../store/schema.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { AlertList } from '../depot/alert-list.js';
import { CompartmentBadges, compartmentName, EventName, movementTime } from '../depot/depot-components.js';
import { MovementSubject } from '../depot/movement-subject.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatAgo } from '../i18n/format.js';
import { dashboardTexts } from './dashboard-texts.js';

export function roleName(view: View, role: DepotRole): string {
  const t = dashboardTexts[view.lang];
  return role === 'owner' ? t.roleOwner : role === 'manager' ? t.roleManager : t.roleViewer;
}

/*
 * The parts below are rendered both into the page and, as HTML strings, into
 * the live stream (dashboard-live.ts): one rendering, so a live update looks
 * exactly like a reload. Each carries the data-* id live.js patches by.
 */

export function Summary(props: { view: View; dashboard: Dashboard }) {
  const d = props.dashboard;
  return <>{dashboardTexts[props.view.lang].summary(d.onlineCount, d.depotCount, d.alerts.length)}</>;
}

export function Alerts(props: { view: View; dashboard: Dashboard }) {
  return (
    <AlertList
      view={props.view}
      alerts={props.dashboard.alerts}
      depots={props.dashboard.depotNames}
      showDepot={true}
      empty={dashboardTexts[props.view.lang].noAlerts}
    />
  );
}

export function MovementItems(props: { view: View; dashboard: Dashboard }) {
  const { view, dashboard } = props;
  if (dashboard.recent.length === 0) return <li class="muted">{dashboardTexts[view.lang].noRecent}</li>;
  return (
    <>
      {dashboard.recent.map((m) => (
        <MovementItem view={view} movement={m} dashboard={dashboard} />
      ))}
    </>
  );
}

function MovementItem(props: { view: View; movement: Movement; dashboard: Dashboard }) {
  const { view, movement: m } = props;
  const depot = props.dashboard.depotNames.get(m.depotId);
  return (
    <li data-event-id={String(m.id)} data-depot-id={String(m.depotId)}>
      <time>{movementTime(view, m, depot?.timeZone ?? 'Europe/Berlin')}</time> <EventName view={view} kind={m.kind} />{' '}
      <a href={`/depots/${m.depotId}`}>{depot?.name ?? ''}</a>
      {', '}
      {compartmentName(view, m.compartment)}
      {m.subject ? (
        <span class="muted">
          {' · '}
          <MovementSubject view={view} movement={m} />
        </span>
      ) : null}
    </li>
  );
}

export function DepotRow(props: { view: View; depot: DashboardDepot; alerts: number }) {
  const { view, depot } = props;
  const t = dashboardTexts[view.lang];
  const common = commonTexts[view.lang];
  return (
    <tr data-depot-id={String(depot.id)}>
      <td data-label={t.depot}>
        <a href={`/depots/${depot.id}`}>{depot.name}</a>{' '}
        {props.alerts > 0 ? <span class="badge bad">{t.alertCount(props.alerts)}</span> : null}
      </td>
      <td data-label={t.state}>
        <span class={depot.online ? 'badge online' : 'badge offline'}>
          {depot.online ? common.online : common.offline}
        </span>
      </td>
      <td data-label={t.lastCheckIn}>
        {depot.lastSeenMs === null ? common.never : formatAgo(view.lang, depot.lastSeenMs, view.nowMs)}
      </td>
      <td data-label={t.compartments}>
        <ul class="compartments-mini">
          {depot.compartments.map((c) => (
            <li data-compartment={String(c.number)}>
              <strong>{compartmentName(view, c.number, c.label)}</strong>{' '}
              <CompartmentBadges view={view} compartment={c} />
            </li>
          ))}
        </ul>
      </td>
      <td data-label={t.role}>{roleName(view, depot.role)}</td>
    </tr>
  );
}

export const DEPOTS_PER_PAGE = 50;

/** The start page. `data-live-src` tells live.js where the stream of this very page is. */
export function DashboardPage(props: { view: View; dashboard: Dashboard; page: number }) {
  const { view, dashboard, page } = props;
  const t = dashboardTexts[view.lang];
  const common = commonTexts[view.lang];
  const pages = Math.max(1, Math.ceil(dashboard.depotCount / DEPOTS_PER_PAGE));
  const alertsPerDepot = new Map<number, number>();
  for (const a of dashboard.alerts) alertsPerDepot.set(a.depotId, (alertsPerDepot.get(a.depotId) ?? 0) + 1);
  return (
    <Layout view={view} title={t.title} scripts={['/static/live.js']}>
      <h1>{t.title}</h1>
      {dashboard.depotCount === 0 ? (
        <p>{t.none}</p>
      ) : (
        <div id="dashboard" data-live-src={`/dashboard/live?page=${page}`} data-stale-text={t.stale}>
          <p class="summary">
            <span data-live="summary">
              <Summary view={view} dashboard={dashboard} />
            </span>{' '}
            <small class="muted" data-live="status">
              {t.live}
            </small>
          </p>
          <h2>{t.alerts}</h2>
          <div data-live="alerts">
            <Alerts view={view} dashboard={dashboard} />
          </div>
          <h2>{t.recent}</h2>
          <ul id="recent-movements" class="movements">
            <MovementItems view={view} dashboard={dashboard} />
          </ul>
          <h2>{t.depots}</h2>
          <table class="responsive depots">
            <thead>
              <tr>
                <th>{t.depot}</th>
                <th>{t.state}</th>
                <th>{t.lastCheckIn}</th>
                <th>{t.compartments}</th>
                <th>{t.role}</th>
              </tr>
            </thead>
            <tbody>
              {dashboard.depots.map((depot) => (
                <DepotRow view={view} depot={depot} alerts={alertsPerDepot.get(depot.id) ?? 0} />
              ))}
            </tbody>
          </table>
          {pages > 1 ? (
            <nav class="pager" aria-label={t.depots}>
              {page > 1 ? <a href={`/?page=${page - 1}`}>{common.previous}</a> : null}
              <span>{common.page(page)}</span>
              {page < pages ? <a href={`/?page=${page + 1}`}>{common.next}</a> : null}
            </nav>
          ) : null}
        </div>
      )}
    </Layout>
  );
}
