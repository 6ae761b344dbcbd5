import { type Kysely, sql } from 'kysely';
import type { RouteSpec } from '../../src/portal/access/routes.js';
import type { Schema } from '../../src/store/schema.js';
import { type Actor, fillPath, type PortalWorld } from './portal-world.js';

/** One page as a crawl saw it. */
export interface CrawledPage {
  readonly actor: Actor;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  /** The body of an HTML response; null for anything else (CSS, event streams, redirects). */
  readonly html: string | null;
}

/** Fetches one path as an actor; a streaming body (server-sent events) is cancelled unread. */
export async function fetchPage(world: PortalWorld, actor: Actor, path: string): Promise<CrawledPage> {
  const response = await world.client(actor).get(path);
  const isHtml = (response.headers.get('content-type') ?? '').includes('text/html');
  const html = isHtml ? await response.text() : null;
  if (!isHtml) await response.body?.cancel();
  return { actor, path, status: response.status, headers: response.headers, html };
}

/**
 * Every GET route of the route table on the own depot, as each of the given
 * actors (the route table is the site map, so a new page is crawled at once).
 */
export async function crawl(
  world: PortalWorld,
  routes: readonly RouteSpec[],
  actors: readonly Actor[],
): Promise<CrawledPage[]> {
  const pages: CrawledPage[] = [];
  for (const route of routes.filter((r) => r.method === 'GET')) {
    const path = fillPath(world, route, world.own);
    for (const actor of actors) pages.push(await fetchPage(world, actor, path));
  }
  return pages;
}

/** A form that submits with GET (a filter), with the names of its fields. */
export interface GetForm {
  readonly action: string;
  readonly fields: readonly string[];
}

/** The GET forms of a page (method="get" or no method), parsed from the markup the portal renders. */
export function getForms(page: CrawledPage): GetForm[] {
  const forms: GetForm[] = [];
  for (const [, attributes = '', body = ''] of (page.html ?? '').matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const method = /\bmethod="([^"]*)"/i.exec(attributes)?.[1]?.toLowerCase() ?? 'get';
    if (method !== 'get') continue;
    const action = /\baction="([^"]*)"/i.exec(attributes)?.[1] || page.path.split('?')[0] || '/';
    const fields = new Set<string>();
    for (const [, tag = ''] of body.matchAll(/<(?:input|select|textarea)\b([^>]*)>/gi)) {
      const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
      if (name) fields.add(name);
    }
    forms.push({ action: action.replace(/&amp;/g, '&'), fields: [...fields] });
  }
  return forms;
}

/**
 * Everything the store holds, as one comparable string: every table's rows
 * (sorted), except a session's last-seen time, which any request may touch.
 * Equal fingerprints mean a request changed nothing.
 */
export async function fingerprint(db: Kysely<Schema>): Promise<string> {
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    const lines = rows.map((row) =>
      JSON.stringify(row, (key, value) => {
        if (table === 'portal_sessions' && key === 'last_seen_ms') return undefined;
        return typeof value === 'bigint' ? value.toString() : value;
      }),
    );
    parts.push(`${table}: ${lines.sort().join('\n')}`);
  }
  return parts.join('\n');
}
