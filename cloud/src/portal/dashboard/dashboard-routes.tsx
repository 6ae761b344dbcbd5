import { loadDashboard } from '../../store/portal/dashboard.js';
import { SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { currentUser } from '../portal-env.js';
import { liveDashboard, pageOf, RECENT_LIMIT } from './dashboard-live.js';
import { DashboardPage, DEPOTS_PER_PAGE } from './dashboard-pages.js';

/** The start page (the user's depots, alerts, latest movements) and its live stream. */
export function dashboardArea(): PortalArea {
  const area = new PortalArea('');
  area.get('/', SIGNED_IN, async (c) => {
    const view = viewOf(c);
    const page = pageOf(c.req.query('page'));
    const dashboard = await loadDashboard(c.get('deps').store.db, {
      userId: currentUser(c).id,
      page,
      pageSize: DEPOTS_PER_PAGE,
      recentLimit: RECENT_LIMIT,
      nowMs: view.nowMs,
    });
    return c.html(<DashboardPage view={view} dashboard={dashboard} page={page} />);
  });
  area.get('/dashboard/live', SIGNED_IN, (c) => liveDashboard(c));
  return area;
}
