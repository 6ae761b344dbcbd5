import type { Depot } from '../../store/depots.js';
import { listDepotsForUser } from '../../store/grants.js';
import type { DepotRole } from '../../store/schema.js';
import { SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { Layout } from '../components/layout.js';
import { type View, viewOf } from '../components/view.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatAgo } from '../i18n/format.js';
import { currentUser } from '../portal-env.js';
import { dashboardTexts } from './dashboard-texts.js';

/** The start page: the user's depots and their state. */
export function dashboardArea(): PortalArea {
  const area = new PortalArea('');
  area.get('/', SIGNED_IN, async (c) => {
    const depots = await listDepotsForUser(c.get('deps').store.db, currentUser(c).id);
    return c.html(<DashboardPage view={viewOf(c)} depots={depots} />);
  });
  return area;
}

export function roleName(view: View, role: DepotRole): string {
  const t = dashboardTexts[view.lang];
  return role === 'owner' ? t.roleOwner : role === 'manager' ? t.roleManager : t.roleViewer;
}

function DashboardPage(props: { view: View; depots: ReadonlyArray<{ depot: Depot; role: DepotRole }> }) {
  const { view } = props;
  const t = dashboardTexts[view.lang];
  const common = commonTexts[view.lang];
  return (
    <Layout view={view} title={t.title}>
      <h1>{t.title}</h1>
      {props.depots.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="depots">
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
            {props.depots.map(({ depot, role }) => (
              <tr>
                <td>
                  <a href={`/depots/${depot.id}`}>{depot.name}</a>
                </td>
                <td>
                  <span class={depot.online ? 'badge online' : 'badge offline'}>
                    {depot.online ? common.online : common.offline}
                  </span>
                </td>
                <td>{depot.lastSeenMs === null ? common.never : formatAgo(view.lang, depot.lastSeenMs, view.nowMs)}</td>
                <td>{depot.compartmentCount}</td>
                <td>{roleName(view, role)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
