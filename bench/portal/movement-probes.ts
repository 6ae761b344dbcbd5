/**
 * The depot pages of the benchmark: the depot overview and its movement list
 * (first page, a filtered page, a deep page) for the busiest depot, asked by
 * the facility manager. Routes the portal does not have yet are reported as
 * missing instead of failing the run.
 */
import type { Portal } from '../../cloud/src/portal/portal-app.js';
import { EventKind } from '../../shared/src/index.js';
import { type Probe, pageProbe } from './timing.js';

/** The deep page: the 50th, reached by following the "older" link as a user would. */
export const DEEP_PAGE = 50;
const DAY_MS = 86_400_000;

export async function movementProbes(
  portal: Portal,
  cookie: string,
  who: string,
  depot: { id: number; compartments: number },
  nowMs: number,
): Promise<{ probes: Probe[]; missing: string[] }> {
  const has = (path: string) => portal.routes.some((r) => r.method === 'GET' && r.path === path);
  const probes: Probe[] = [];
  const missing: string[] = [];
  const base = `/depots/${depot.id}`;
  if (has('/depots/:depotId')) probes.push(pageProbe(portal.app, cookie, 'depot page GET /depots/:id', who, base));
  else missing.push('GET /depots/:depotId');
  if (!has('/depots/:depotId/movements')) {
    missing.push('GET /depots/:depotId/movements');
    return { probes, missing };
  }
  const list = `${base}/movements`;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const filter = new URLSearchParams({
    compartment: '1',
    kind: String(EventKind.KeyRemoved),
    from: day(nowMs - 30 * DAY_MS),
    to: day(nowMs),
  });
  const deep = await pathOfPage(portal, cookie, list, DEEP_PAGE);
  if (deep.page < 2) throw new Error(`the movement list of depot ${depot.id} has one page only`);
  probes.push(
    pageProbe(portal.app, cookie, 'movements, first page', who, list),
    pageProbe(portal.app, cookie, 'movements, compartment + kind + 30 days', who, `${list}?${filter}`),
    pageProbe(portal.app, cookie, `movements, page ${deep.page} (keyset)`, who, deep.path),
  );
  return { probes, missing };
}

/**
 * Follows the list's "older" link up to page - 1 times, as a user paging
 * back would; returns the page reached (fewer when the depot has fewer rows).
 */
async function pathOfPage(
  portal: Portal,
  cookie: string,
  first: string,
  page: number,
): Promise<{ path: string; page: number }> {
  let path = first;
  let reached = 1;
  while (reached < page) {
    const response = await portal.app.request(`http://localhost${path}`, { headers: { host: 'localhost', cookie } });
    const next = olderLink(await response.text());
    if (!next) break;
    path = next;
    reached += 1;
  }
  return { path, page: reached };
}

/** The pager's link to older rows (the list is newest first; cloud/src/portal/depot/movements-page.tsx). */
export function olderLink(html: string): string | null {
  const match = /<a rel="next" href="([^"]+)"/.exec(html);
  return match?.[1] ? match[1].replaceAll('&amp;', '&') : null;
}
