import { openAlerts } from '../../store/portal/alerts.js';
import { listCommands } from '../../store/portal/command-view.js';
import { compartmentsOf } from '../../store/portal/dashboard.js';
import { updateDepotSettings, withdrawalsByQuarterHour } from '../../store/portal/depot-page.js';
import { listMovements } from '../../store/portal/movements.js';
import { depotRole } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import type { PortalContext } from '../portal-env.js';
import { currentUser } from '../portal-env.js';
import { DepotPage } from './depot-pages.js';
import { depotTexts } from './depot-texts.js';
import { readMovementQuery } from './movement-query.js';
import { MovementsPage } from './movements-page.js';
import { ADDRESS_MAX, LABEL_MAX, NAME_MAX, SettingsPage, settingsValuesOf } from './settings-page.js';
import { chartWindow, countPerDay } from './withdrawal-chart.js';
import { isTimeZone } from './zoned-days.js';

/** Rows per movement page: a phone screen or two. */
const MOVEMENTS_PER_PAGE = 50;

/** A depot's own pages: overview, movement list, master data (the guard has set c.get('depot')). */
export function depotArea(): PortalArea {
  const area = new PortalArea('/depots');

  area.get('/:depotId', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const db = c.get('deps').store.db;
    const view = viewOf(c);
    const window = chartWindow(view.nowMs, depot.timeZone);
    const [compartments, alerts, buckets, movements, commands] = await Promise.all([
      compartmentsOf(db, [depot.id]),
      openAlerts(db, [depot.id], view.nowMs),
      withdrawalsByQuarterHour(db, depot.id, window.fromMs, window.untilMs),
      listMovements(db, depot.id, {}, { limit: 10 }),
      listCommands(db, depot.id, 20, view.nowMs),
    ]);
    const notice = c.req.query('saved') === '1' ? depotTexts[view.lang].saved : undefined;
    return c.html(
      <DepotPage
        view={view}
        data={{
          depot,
          role: c.get('role'),
          compartments,
          alerts,
          days: countPerDay(window.days, buckets, depot.timeZone),
          movements: movements.rows,
          commands,
          ...(notice ? { notice } : {}),
        }}
      />,
    );
  });

  area.get('/:depotId/movements', depotRole('viewer'), async (c) => {
    const depot = c.get('depot');
    const db = c.get('deps').store.db;
    const query = readMovementQuery(c.req.query(), depot);
    const [compartments, page] = await Promise.all([
      compartmentsOf(db, [depot.id]),
      listMovements(db, depot.id, query.filter, {
        ...(query.before ? { before: query.before } : {}),
        ...(query.after ? { after: query.after } : {}),
        limit: MOVEMENTS_PER_PAGE,
      }),
    ]);
    return c.html(
      <MovementsPage view={viewOf(c)} depot={depot} compartments={compartments} query={query} page={page} />,
    );
  });

  area.get('/:depotId/settings', depotRole('owner'), async (c) => {
    const depot = c.get('depot');
    const compartments = await compartmentsOf(c.get('deps').store.db, [depot.id]);
    return c.html(
      <SettingsPage
        view={viewOf(c)}
        depot={depot}
        compartments={compartments}
        values={settingsValuesOf(depot, compartments)}
      />,
    );
  });

  area.post('/:depotId/settings', depotRole('owner'), (c) => saveSettings(c));
  return area;
}

/** Checks every field, re-renders with all messages on bad input (changing nothing), else saves with audit. */
async function saveSettings(c: PortalContext) {
  const depot = c.get('depot');
  const { store, clock } = c.get('deps');
  const view = viewOf(c);
  const compartments = await compartmentsOf(store.db, [depot.id]);
  const form = await readForm(c);
  const name = form.text('name', { max: NAME_MAX, required: true });
  const address = form.text('address', { max: ADDRESS_MAX });
  const timeZone = form.raw('timeZone') || depot.timeZone;
  if (!isTimeZone(timeZone) || timeZone.length > 64) form.fail('timeZone', depotTexts[view.lang].badTimeZone);
  const labels = new Map(compartments.map((cm) => [cm.number, form.text(`label-${cm.number}`, { max: LABEL_MAX })]));
  const values = { name, address, timeZone, labels };
  if (!form.ok) {
    return c.html(
      <SettingsPage view={view} depot={depot} compartments={compartments} values={values} errors={form.errors} />,
      400,
    );
  }
  await updateDepotSettings(store.db, {
    depotId: depot.id,
    settings: values,
    userId: currentUser(c).id,
    address: c.get('address'),
    nowMs: clock(),
  });
  return c.redirect(`/depots/${depot.id}?saved=1`, 303);
}
