/**
 * Ids and names of another organisation in form fields and query parameters
 * (the authorization matrix tries them in paths): every route's inputs are
 * listed in route-inputs.ts, checked against the route table and against
 * every form and link the portal renders, and each id or name input is tried
 * by every kind of caller with a value of the other organisation and with
 * one nobody has. The answers, the statements run and the stored rows must
 * not tell the two apart.
 */
import { randomBytes } from 'node:crypto';
import { loadCryptoBackend } from '@keydepot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/portal/access/routes.js';
import { testDialects } from '../databases.js';
import { type CrawledPage, crawl, fingerprint } from './portal-crawl.js';
import { ACTORS, type Actor, createPortalWorld, fillPath, type PortalWorld, type Side } from './portal-world.js';
import { listed, type Names, ROUTE_INPUTS, routeKey, routeOf } from './route-inputs.js';
import { SqlRecorder } from './sql-recorder.js';

/** Values no organisation has. */
const UNKNOWN: Record<Names, string> = {
  'user-name': 'nobody-anywhere',
  'depot-id': '987654',
  'organisation-id': '987654',
};

function foreignValue(names: Names, side: Side): string {
  if (names === 'user-name') return 'member-foreign';
  return String(names === 'depot-id' ? side.depotId : side.organisationId);
}

interface Answer {
  readonly status: number;
  readonly location: string;
  readonly body: string;
  readonly statements: string[];
}

/** A form (any method) or link of a page: where it goes and the names it sends. */
interface Sent {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly fields: string[];
}

function sentFrom(page: CrawledPage): Sent[] {
  const html = page.html ?? '';
  const sent: Sent[] = [];
  for (const [, attributes = '', body = ''] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const method = /\bmethod="([^"]*)"/i.exec(attributes)?.[1]?.toUpperCase() === 'POST' ? 'POST' : 'GET';
    const action = /\baction="([^"]*)"/i.exec(attributes)?.[1] || page.path;
    const fields = [...body.matchAll(/<(?:input|select|textarea|button)\b([^>]*)>/gi)]
      .map(([, tag = '']) => /\bname="([^"]*)"/i.exec(tag)?.[1])
      .filter((name): name is string => name !== undefined && name !== '_csrf');
    const url = new URL(action.replace(/&amp;/g, '&'), 'http://localhost');
    sent.push({ method, path: url.pathname, fields: [...fields, ...url.searchParams.keys()] });
  }
  for (const [, href = ''] of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/gi)) {
    const url = new URL(href.replace(/&amp;/g, '&'), 'http://localhost');
    if (url.origin !== 'http://localhost') continue;
    sent.push({ method: 'GET', path: url.pathname, fields: [...url.searchParams.keys()] });
  }
  return sent;
}

/**
 * The answer with the value itself taken out (it is shown again in the form, or in a login redirect,
 * or in an export's filter line; the export's SHA-256 covers that line, so it differs with the value too).
 */
function withoutValue(text: string, value: string): string {
  const escaped = value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return text
    .replace(/^sha256([;,])[0-9a-f]{64}\r\n$/m, 'sha256$1DIGEST\r\n')
    .replaceAll(`"${escaped}"`, '"VALUE"')
    .replaceAll(`=${encodeURIComponent(value)}`, '=VALUE')
    .replaceAll(encodeURIComponent(`=${value}`), '%3DVALUE');
}

describe.each(testDialects())('inputs naming another organisation on %s', (dialect) => {
  let world: PortalWorld;
  let recorder: SqlRecorder;
  let routes: readonly RouteSpec[];
  let pages: CrawledPage[];
  beforeAll(async () => {
    world = await createPortalWorld(dialect);
    routes = world.h.portal.routes;
    // The depot form answers only when depots can be provisioned (what serve.ts passes with a public relay host).
    const keys = {
      backend: await loadCryptoBackend('sodium-native'),
      relayPublicKey: new Uint8Array(randomBytes(32)),
      offlineMaster: new Uint8Array(randomBytes(32)),
      publicRelayHost: 'relay.example.org',
      publicRelayPort: 47901,
    };
    Object.assign(world.h.deps, { provisioning: async () => keys });
    recorder = SqlRecorder.attach(world.h);
    pages = await crawl(world, routes, ['owner', 'operator']);
  });
  afterAll(() => world.h.dispose());

  it('lists the inputs of every route, and every field of every form and link the portal renders', () => {
    expect(Object.keys(ROUTE_INPUTS).sort()).toEqual(routes.map(routeKey).sort());
    const unlisted = new Set<string>();
    let fields = 0;
    for (const page of pages.filter((p) => p.html !== null)) {
      for (const sent of sentFrom(page)) {
        const route = routeOf(routes, sent.method, sent.path);
        if (!route) {
          unlisted.add(`${sent.method} ${sent.path} (on ${page.path}): no route`);
          continue;
        }
        const inputs = ROUTE_INPUTS[routeKey(route)];
        for (const field of sent.fields) {
          fields += 1;
          const known = inputs && (listed(inputs.values, field) || inputs.ids.some((i) => i.field === field));
          if (!known) unlisted.add(`${routeKey(route)}: ${field} (on ${page.path})`);
        }
      }
    }
    expect(fields, 'no form field found on any crawled page').toBeGreaterThan(20);
    expect([...unlisted]).toEqual([]);
  });

  const cases = Object.entries(ROUTE_INPUTS).flatMap(([key, inputs]) =>
    inputs.ids.map((input) => [`${key} ${input.field}`, key, input] as const),
  );

  it.each(cases)(
    '%s: a foreign id or name gets the answer of an unknown one, and writes nothing',
    async (_, key, input) => {
      const route = routes.find((r) => routeKey(r) === key) as RouteSpec;
      const path = fillPath(world, route, world.own);
      const send = async (actor: Actor, value: string): Promise<Answer> => {
        const fields = { ...input.with, [input.field]: value };
        const client = world.client(actor);
        const { result: response, statements } = await recorder.during(() =>
          route.method === 'GET'
            ? client.get(`${path}?${new URLSearchParams(fields)}`)
            : client.post(path, { ...fields, _csrf: world.csrf(actor) }),
        );
        const body = withoutValue(await response.text(), value);
        const location = withoutValue(response.headers.get('location') ?? '', value);
        return { status: response.status, location, body, statements };
      };
      const failures: string[] = [];
      let ownDiffers = false;
      for (const actor of ACTORS) {
        const rule = actor === 'operator' ? (input.operator ?? input.rule) : input.rule;
        if (rule === 'serves-all') continue;
        const before = await fingerprint(world.h.db.db);
        // A name nobody has would create the account on a "new user" form: only the foreign one is sent there.
        const unknown = rule === 'as-unknown' ? await send(actor, UNKNOWN[input.names]) : null;
        const foreign = await send(actor, foreignValue(input.names, world.foreign));
        if ((await fingerprint(world.h.db.db)) !== before) failures.push(`${actor}: the store changed`);
        if (unknown) {
          const unlike = (['status', 'location', 'body', 'statements'] as const).filter(
            (part) => JSON.stringify(unknown[part]) !== JSON.stringify(foreign[part]),
          );
          if (unlike.length > 0) failures.push(`${actor}: foreign and unknown differ in ${unlike.join(', ')}`);
        } else if (foreign.status < 400 && !foreign.location.startsWith('/login')) {
          failures.push(`${actor}: a foreign value was taken (${foreign.status} ${foreign.location})`);
        }
        if (input.own && unknown) {
          const own = await send(actor, input.own(world.own));
          ownDiffers ||= own.status !== unknown.status || own.body !== unknown.body;
          if ((await fingerprint(world.h.db.db)) !== before) failures.push(`${actor}: the own value changed the store`);
        }
      }
      expect(failures).toEqual([]);
      if (input.own) expect(ownDiffers, 'the own value is answered like an unknown one: is the field read?').toBe(true);
    },
  );

  it('tells the operator that a user of another organisation is no member when naming a depot owner', async () => {
    const client = world.client('operator');
    await client.get(`/admin/organisations/${world.own.organisationId}`);
    const form = { name: 'Neu', address: '', compartments: '4', timeZone: 'Europe/Berlin', language: 'de' };
    const before = await fingerprint(world.h.db.db);
    const response = await client.post(`/admin/organisations/${world.own.organisationId}/depots`, {
      ...form,
      owner: 'member-foreign',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('kein Mitglied dieser Organisation');
    expect(await fingerprint(world.h.db.db)).toBe(before);
  });
});
