import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { ExportRunner } from '../../src/exports/export-runner.js';
import { createBlindIndex } from '../../src/keys/blind-index.js';
import { createDataSealer } from '../../src/keys/data-key.js';
import { createPortalApp, type Portal } from '../../src/portal/portal-app.js';
import type { PortalDeps, PortalEnv } from '../../src/portal/portal-env.js';
import type { Dialect } from '../../src/store/database.js';
import { createDepot } from '../../src/store/depots.js';
import { grantDepotRole } from '../../src/store/grants.js';
import { addOrganisationMember, createOrganisation } from '../../src/store/organisations.js';
import type { DepotRole } from '../../src/store/schema.js';
import { startTotpEnrolment, TOTP_STEP_MS, totpCode, useTotpCode } from '../../src/store/second-factor/totp.js';
import { createUser } from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';
import { silentLogger } from '../relay/fixtures.js';

/** Every test user's password (long enough for MIN_PASSWORD_LENGTH). */
export const PASSWORD = 'correct horse battery staple';

/**
 * A portal over a fresh test database of one engine, with a settable clock,
 * a counter of relay pokes, and helpers to create organisations, depots and
 * users with roles. Everything goes through the real store and the real app.
 */
export interface PortalHarness {
  readonly db: TestDatabase;
  readonly portal: Portal;
  readonly app: Hono<PortalEnv>;
  readonly deps: PortalDeps;
  /** The background export runner over a temporary folder; tests call drain() to run queued jobs. */
  readonly exports: ExportRunner;
  /** The clock the portal reads; tests move it forward (session timeouts, throttling). */
  now: number;
  pokes: number;
  organisation(name?: string): Promise<number>;
  depot(organisationId: number, name?: string, compartments?: number): Promise<number>;
  user(
    username: string,
    options?: { operator?: boolean; organisationId?: number; password?: string | null },
  ): Promise<number>;
  grant(depotId: number, userId: number, role: DepotRole): Promise<void>;
  /**
   * Sets up an authenticator app for a user through the store; returns the
   * secret. Operators get one when created (they always need a second factor),
   * and `client.login()` answers the code step for whoever has one here.
   */
  enrolTotp(userId: number, username: string): Promise<string>;
  /** TOTP secrets of the users enrolled through `enrolTotp`, by user name. */
  readonly totpSecrets: Map<string, string>;
  /**
   * A code for the user's next login: the clock moves on to a fresh 30-second
   * step first, as a code is accepted once per step.
   */
  nextTotpCode(username: string): string | null;
  /** A cookie-keeping client of this portal (like one browser). */
  client(address?: string): PortalClient;
  dispose(): Promise<void>;
}

/** `deps` replaces or adds portal dependencies (PayPal clients pointed at the stand-in, a logger to read). */
export async function createPortalHarness(
  dialect: Dialect,
  options: { deps?: Partial<PortalDeps> } = {},
): Promise<PortalHarness> {
  const db = await createTestDatabase(dialect);
  const offlineMaster = new Uint8Array(randomBytes(32));
  const harness: PortalHarness = {
    db,
    now: Date.UTC(2026, 10, 28, 9, 0, 0),
    pokes: 0,
    totpSecrets: new Map(),
    deps: undefined as unknown as PortalDeps,
    portal: undefined as unknown as Portal,
    app: undefined as unknown as Hono<PortalEnv>,
    async organisation(name = `Org ${randomBytes(3).toString('hex')}`) {
      return (await createOrganisation(db.db, { name, nowMs: harness.now })).id;
    },
    async depot(organisationId, name = `Depot ${randomBytes(3).toString('hex')}`, compartments = 6) {
      const depot = await createDepot(db.db, {
        organisationId,
        name,
        publicKey: new Uint8Array(randomBytes(32)),
        compartmentCount: compartments,
        nowMs: harness.now,
      });
      return depot.id;
    },
    async user(username, options = {}) {
      const user = await createUser(db.db, {
        username,
        password: options.password === undefined ? PASSWORD : options.password,
        isOperator: options.operator ?? false,
        nowMs: harness.now,
      });
      if (options.operator) await harness.enrolTotp(user.id, username);
      if (options.organisationId !== undefined) {
        await addOrganisationMember(db.db, {
          organisationId: options.organisationId,
          userId: user.id,
          nowMs: harness.now,
        });
      }
      return user.id;
    },
    async grant(depotId, userId, role) {
      await grantDepotRole(db.db, { depotId, userId, role, nowMs: harness.now });
    },
    async enrolTotp(userId, username) {
      const secret = (await startTotpEnrolment(db.db, harness.deps.sealer, { userId, nowMs: harness.now })) as string;
      const code = totpCode(secret, harness.now);
      await useTotpCode(db.db, harness.deps.sealer, { userId, code, nowMs: harness.now, confirm: true });
      harness.totpSecrets.set(username, secret);
      return secret;
    },
    nextTotpCode(username) {
      const secret = harness.totpSecrets.get(username);
      if (!secret) return null;
      harness.now += TOTP_STEP_MS;
      return totpCode(secret, harness.now);
    },
    client(address = '192.0.2.10') {
      return new PortalClient(harness.app, address, (username) => harness.nextTotpCode(username));
    },
    exports: undefined as unknown as ExportRunner,
    async dispose() {
      await harness.exports.stop();
      rmSync(exportDir, { recursive: true, force: true });
      await db.dispose();
    },
  };
  const exportDir = mkdtempSync(join(tmpdir(), 'keydepot-exports-'));
  const deps: PortalDeps = {
    store: db,
    sealer: createDataSealer(new Map([[1, new Uint8Array(randomBytes(32))]]), 1),
    blindIndex: createBlindIndex(new Uint8Array(randomBytes(32))),
    offlineMasterKey: async () => offlineMaster,
    pokeRelay: () => {
      harness.pokes += 1;
    },
    clock: () => harness.now,
    logger: silentLogger,
    tls: false,
    exports: { dir: exportDir, poke: () => {} },
    ...options.deps,
  };
  const exports = new ExportRunner({ store: db, dir: exportDir, clock: () => harness.now, logger: silentLogger });
  const portal = createPortalApp(deps);
  Object.assign(harness, { deps, portal, app: portal.app, exports });
  return harness;
}

/** The value of the hidden CSRF field in a page. */
export function csrfTokenIn(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/**
 * A minimal browser: keeps cookies, sends same-origin headers like a real
 * browser does for its own forms, and fills in the CSRF token of the last
 * page it saw unless told otherwise.
 */
export class PortalClient {
  readonly cookies = new Map<string, string>();
  lastHtml = '';

  constructor(
    private readonly app: Hono<PortalEnv>,
    private readonly address: string,
    /** The authenticator app of the person at this browser: a code for the user, or null. */
    private readonly totpCodeFor: (username: string) => string | null = () => null,
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await this.request(path, { method: 'GET', headers });
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      this.lastHtml = await response.clone().text();
    }
    return response;
  }

  /** POSTs a form; `_csrf` comes from the last page unless the fields set it (or set it to null to leave it out). */
  async post(
    path: string,
    fields: Record<string, string | null> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    const token = '_csrf' in fields ? fields._csrf : csrfTokenIn(this.lastHtml);
    if (token) body.set('_csrf', token);
    for (const [name, value] of Object.entries(fields)) {
      // append, not set: the names are distinct already, and set() rescans the whole list (quadratic).
      if (name !== '_csrf' && value !== null) body.append(name, value);
    }
    const response = await this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', ...headers },
      body: body.toString(),
    });
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      this.lastHtml = await response.clone().text();
    }
    return response;
  }

  /**
   * Logs in through the form, answering the second-factor step with a TOTP
   * code when the user has one; throws unless it lands on a page behind the login.
   */
  async login(username: string, password = PASSWORD): Promise<void> {
    await this.get('/login');
    let response = await this.post('/login', { username, password });
    if (response.status !== 303) throw new Error(`login of ${username} failed with ${response.status}`);
    const location = response.headers.get('location') ?? '/';
    const code = location.startsWith('/login/second-factor') ? this.totpCodeFor(username) : null;
    if (code !== null) {
      await this.get(location);
      response = await this.post('/login/second-factor/totp', { code });
      if (response.status !== 303) throw new Error(`second factor of ${username} failed with ${response.status}`);
    }
    await this.get(response.headers.get('location') ?? '/');
  }

  private async request(
    path: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers: Record<string, string> = { host: 'localhost', ...init.headers };
    if (cookie) headers.cookie = cookie;
    const response = await this.app.request(
      `http://localhost${path}`,
      { ...init, headers },
      {
        incoming: { socket: { remoteAddress: this.address } },
      },
    );
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}
