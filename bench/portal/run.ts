/**
 * One engine's run of the portal benchmark: a scratch store, the fleet and
 * its movements, the real portal app (createPortalApp) with two users
 * logged in through POST /login, and the pages they open, timed against a
 * trivial signed-in route and a bare SELECT 1 through the same store.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlindIndex } from '../../cloud/src/keys/blind-index.js';
import { createDataSealer } from '../../cloud/src/keys/data-key.js';
import { silentLogger } from '../../cloud/src/log.js';
import type { Portal } from '../../cloud/src/portal/portal-app.js';
import { createPortalApp } from '../../cloud/src/portal/portal-app.js';
import type { PortalDeps } from '../../cloud/src/portal/portal-env.js';
import { type Dialect, openDatabase, type StoreDatabase } from '../../cloud/src/store/database.js';
import { migrateToLatest } from '../../cloud/src/store/migrate.js';
import { createScratchMysqlDatabase } from '../../cloud/src/store/relay/scratch-database.js';
import { PortalClient } from '../../cloud/test/portal/portal-harness.js';
import { progress } from '../protocol/progress.js';
import { BENCH_PASSWORD, createFleet } from './fleet.js';
import { benchCustomer, loadCustomers } from './load-customers.js';
import { loadMovements } from './load-movements.js';
import { movementProbes } from './movement-probes.js';
import type { PortalBenchOptions } from './options.js';
import { type Probe, pageProbe, type Timing, timeProbes } from './timing.js';

export interface EngineResult {
  readonly dialect: Dialect;
  readonly depots: number;
  readonly movements: number;
  readonly customers: number;
  readonly invoices: number;
  readonly customerLoadSeconds: number;
  readonly loadSeconds: number;
  /** Movements of the depot the movement pages show (the busiest one). */
  readonly busiestDepotMovements: number;
  readonly workshopDepots: number;
  readonly timings: readonly Timing[];
  /** Routes of the issue that this portal does not have yet (not measured). */
  readonly missing: readonly string[];
}

export const BASELINE = 'trivial route: GET /static/portal.css, signed in';
export const SELECT_ONE = 'SELECT 1 through the store';

export async function runEngine(
  dialect: Dialect,
  options: PortalBenchOptions,
  mysqlUrl = process.env.KEYDEPOT_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
): Promise<EngineResult> {
  const scratch = await scratchStore(dialect, mysqlUrl);
  const store = scratch.store;
  try {
    await migrateToLatest(store);
    const nowMs = Date.now();
    const fleet = await createFleet(store, options.depots, nowMs, options.seed);
    progress.log(`${dialect}: ${fleet.depots.length} depots, users and grants created`);
    const loaded = await loadMovements(store, fleet.depots, options.movements, nowMs, options.seed, (done) =>
      progress.update(`${dialect}: ${done.toLocaleString('en')} / ${options.movements.toLocaleString('en')} movements`),
    );
    progress.log(
      `${dialect}: ${options.movements.toLocaleString('en')} movements in ${loaded.seconds.toFixed(1)} s ` +
        `(${Math.round(options.movements / loaded.seconds).toLocaleString('en')}/s)`,
    );

    const deps = portalDeps(store);
    const customers = await loadCustomers(
      store,
      { sealer: deps.sealer, index: deps.blindIndex },
      fleet.organisationId,
      { customers: options.customers, invoices: options.invoices },
      nowMs,
      (what) => progress.update(`${dialect}: ${what}`),
    );
    progress.log(
      `${dialect}: ${options.customers.toLocaleString('en')} customers and ${options.invoices.toLocaleString('en')} ` +
        `invoices in ${customers.seconds.toFixed(1)} s`,
    );
    const portal = createPortalApp(deps);
    const cookieOf = async (username: string) => {
      const client = new PortalClient(portal.app, '192.0.2.10');
      await client.login(username, BENCH_PASSWORD);
      return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    };
    const facility = await cookieOf(fleet.facilityManager);
    const workshop = await cookieOf(fleet.workshop);
    const fm = `facility manager (${fleet.depots.length} depots)`;
    const ws = `workshop (${fleet.workshopDepotIds.length} depots)`;

    let busiest = 0;
    loaded.perDepot.forEach((n, i) => {
      if (n > (loaded.perDepot[busiest] ?? 0)) busiest = i;
    });
    const busiestDepot = fleet.depots[busiest] as { id: number; compartments: number };
    const selectOne: Probe = {
      name: SELECT_ONE,
      who: '–',
      run: async () => {
        await store.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
        return 0;
      },
    };
    const movements = await movementProbes(portal, facility, fm, busiestDepot, nowMs);
    const probes: Probe[] = [
      pageProbe(portal.app, facility, BASELINE, fm, '/static/portal.css'),
      selectOne,
      pageProbe(portal.app, workshop, 'dashboard GET /', ws, '/'),
      pageProbe(portal.app, facility, 'dashboard GET /', fm, '/'),
      ...movements.probes,
      ...customerProbes(portal.app, facility, fm, fleet.organisationId, options.customers),
    ];
    const timings = await timeProbes(probes, { ...options, label: dialect });
    progress.clear();
    return {
      dialect,
      depots: fleet.depots.length,
      movements: options.movements,
      customers: options.customers,
      invoices: options.invoices,
      customerLoadSeconds: customers.seconds,
      loadSeconds: loaded.seconds,
      busiestDepotMovements: loaded.perDepot[busiest] ?? 0,
      workshopDepots: fleet.workshopDepotIds.length,
      timings,
      missing: movements.missing,
    };
  } finally {
    await scratch.dispose();
  }
}

/** What start-cloud.ts gives the portal, with throw-away keys and no relay to poke. */
function portalDeps(store: StoreDatabase): PortalDeps {
  const offlineMaster = new Uint8Array(randomBytes(32));
  return {
    store,
    sealer: createDataSealer(new Map([[1, new Uint8Array(randomBytes(32))]]), 1),
    blindIndex: createBlindIndex(new Uint8Array(randomBytes(32))),
    offlineMasterKey: async () => offlineMaster,
    pokeRelay: () => {},
    clock: () => Date.now(),
    logger: silentLogger(),
    tls: false,
  };
}

async function scratchStore(
  dialect: Dialect,
  mysqlUrl: string,
): Promise<{ store: StoreDatabase; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-bench-portal-'));
    const store = openDatabase(`sqlite:${join(dir, 'store.sqlite')}`);
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true });
      },
    };
  }
  const scratch = await createScratchMysqlDatabase(mysqlUrl, 'kd_bench_portal');
  const store = openDatabase(scratch.url);
  return {
    store,
    async dispose() {
      await store.close();
      await scratch.drop();
    },
  };
}

/** The customer and invoice pages the issue measures: search by each kind of term, the first list pages. */
function customerProbes(
  app: Portal['app'],
  cookie: string,
  who: string,
  organisationId: number,
  customers: number,
): Probe[] {
  const base = `/organisations/${organisationId}`;
  const someone = benchCustomer(Math.max(1, Math.floor(customers / 3)));
  const q = (text: string) => `${base}/customers?q=${encodeURIComponent(text)}`;
  return [
    pageProbe(app, cookie, 'customer search: e-mail', who, q(someone.email.toUpperCase())),
    pageProbe(app, cookie, 'customer search: phone', who, q(someone.phone.replace('0171', '+49 171'))),
    pageProbe(app, cookie, 'customer search: plate', who, q(someone.plate.toLowerCase())),
    pageProbe(app, cookie, 'customer search: name words', who, q(someone.name)),
    pageProbe(app, cookie, 'customer list, first page', who, `${base}/customers`),
    pageProbe(app, cookie, 'invoice list, first page', who, `${base}/invoices`),
    pageProbe(app, cookie, 'invoice list, open ones', who, `${base}/invoices?state=open`),
  ];
}
