import { streamSSE } from 'hono/streaming';
import { type Dashboard, dashboardMark, loadDashboard, sessionStillLive } from '../../store/portal/dashboard.js';
import { type View, viewOf } from '../components/view.js';
import type { PortalContext } from '../portal-env.js';
import { currentUser } from '../portal-env.js';
import { SESSION_IDLE_MS } from '../session/portal-sessions.js';
import { Alerts, DEPOTS_PER_PAGE, DepotRow, MovementItems, Summary } from './dashboard-pages.js';

/** How often a connection looks at the store: the relay's news reaches the page within about this. */
const LIVE_POLL_MS = 1_000;
/** Redraw at least this often even when nothing changed ("2 minutes ago" moves on). */
const REDRAW_MS = 30_000;
/** A stream ends after this; the browser reconnects, which checks the session and grants afresh. */
const STREAM_LIFETIME_MS = 10 * 60_000;
export const RECENT_LIMIT = 20;

/** The dashboard's parts as HTML strings, keyed the way live.js finds them. */
interface LiveParts {
  summary: string;
  alerts: string;
  movements: string;
  depots: Map<number, string>;
}

/** What one message carries: only the parts that changed since the last one on this connection. */
interface LiveMessage {
  summary?: string;
  alerts?: string;
  movements?: string;
  depots?: Array<{ id: number; html: string }>;
}

const html = async (node: unknown) => String(await (node as { toString(): string | Promise<string> }).toString());

async function renderParts(view: View, dashboard: Dashboard): Promise<LiveParts> {
  const perDepot = new Map<number, number>();
  for (const a of dashboard.alerts) perDepot.set(a.depotId, (perDepot.get(a.depotId) ?? 0) + 1);
  const depots = new Map<number, string>();
  for (const depot of dashboard.depots) {
    depots.set(depot.id, await html(<DepotRow view={view} depot={depot} alerts={perDepot.get(depot.id) ?? 0} />));
  }
  return {
    summary: await html(<Summary view={view} dashboard={dashboard} />),
    alerts: await html(<Alerts view={view} dashboard={dashboard} />),
    movements: await html(<MovementItems view={view} dashboard={dashboard} />),
    depots,
  };
}

function changes(before: LiveParts | null, after: LiveParts): LiveMessage | null {
  const message: LiveMessage = {};
  if (before?.summary !== after.summary) message.summary = after.summary;
  if (before?.alerts !== after.alerts) message.alerts = after.alerts;
  if (before?.movements !== after.movements) message.movements = after.movements;
  const depots = [...after.depots]
    .filter(([id, row]) => before?.depots.get(id) !== row)
    .map(([id, row]) => ({ id, html: row }));
  if (depots.length > 0) message.depots = depots;
  return Object.keys(message).length > 0 ? message : null;
}

/** A dashboard page number from the query; anything odd is page 1. */
export function pageOf(value: string | undefined): number {
  return value && /^[1-9][0-9]{0,4}$/.test(value) ? Number(value) : 1;
}

/**
 * Server-sent events for one open dashboard: the first message is the whole
 * snapshot, later ones what changed. Every poll re-reads the user's grants (a
 * removed grant takes the depot off within a second) and the session (a logout
 * ends the stream with an `end` event, after which live.js stops reconnecting).
 */
export function liveDashboard(c: PortalContext) {
  const user = currentUser(c);
  const session = c.get('session');
  const { store, clock, logger } = c.get('deps');
  const baseView = viewOf(c);
  const page = pageOf(c.req.query('page'));
  return streamSSE(c, async (stream) => {
    const startedAt = Date.now();
    let sent: LiveParts | null = null;
    let mark = '';
    let drawnAt = 0;
    try {
      while (!stream.aborted && !stream.closed && Date.now() - startedAt < STREAM_LIFETIME_MS) {
        const nowMs = clock();
        if (!session || !(await sessionStillLive(store.db, session, SESSION_IDLE_MS, nowMs))) {
          await stream.writeSSE({ event: 'end', data: '{}' });
          return;
        }
        const current = await dashboardMark(store.db);
        if (current !== mark || Date.now() - drawnAt >= REDRAW_MS) {
          const dashboard = await loadDashboard(store.db, {
            userId: user.id,
            page,
            pageSize: DEPOTS_PER_PAGE,
            recentLimit: RECENT_LIMIT,
            nowMs,
          });
          const parts = await renderParts({ ...baseView, nowMs }, dashboard);
          const message = changes(sent, parts);
          if (message) {
            await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(message), retry: 2_000 });
          }
          sent = parts;
          mark = current;
          drawnAt = Date.now();
        }
        await stream.sleep(LIVE_POLL_MS);
      }
    } catch (error) {
      // A store hiccup ends this stream; the browser reconnects and starts afresh.
      logger.warn({ err: error }, 'dashboard stream stopped');
    }
  });
}
