import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { BlindIndex } from '../keys/blind-index.js';
import type { DataSealer } from '../keys/data-key.js';
import type { PayPalClients } from '../payments/paypal-clients.js';
import type { ProvisioningKeys } from '../provisioning/provision-depot.js';
import type { StoreDatabase } from '../store/database.js';
import type { Depot } from '../store/depots.js';
import type { Organisation } from '../store/organisations.js';
import type { DepotRole, OrganisationRole } from '../store/schema.js';
import type { User } from '../store/users.js';
import type { Language } from './i18n/language.js';
import type { PortalSession, SecondFactorStage } from './session/portal-sessions.js';

/** What the portal is built from; the server (serve.ts) or a test passes it in. */
export interface PortalDeps {
  readonly store: StoreDatabase;
  /** Seals PIN digits and other secrets at rest. */
  readonly sealer: DataSealer;
  /** Keyed blind index of customer search (keys/blind-index.ts). */
  readonly blindIndex: BlindIndex;
  /** The cloud's offline master key, for offline PINs (loaded lazily: only PIN pages need it). */
  readonly offlineMasterKey: () => Promise<Uint8Array>;
  /** Keys and public relay address for provisioning depots in the admin pages; without it they say so. */
  readonly provisioning?: () => Promise<ProvisioningKeys>;
  /** PayPal with each organisation's credentials; without it the payment pages use PayPal's own hosts. */
  readonly payments?: PayPalClients;
  /** Tells the relay a command was queued, so a connected depot gets it at once. */
  readonly pokeRelay: () => void;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Served over TLS (directly or behind a proxy): adds HSTS. Cookies are always Secure. */
  readonly tls: boolean;
  /** Background exports: where their files lie, and how to wake the runner; without it they are not offered. */
  readonly exports?: { readonly dir: string; poke(): void };
  /** Behind our reverse proxy: the client address is the last X-Forwarded-For entry (the proxy appends it). */
  readonly trustForwardedFor?: boolean;
}

/** Per-request values the middleware sets, typed for every handler. */
export interface PortalVariables {
  deps: PortalDeps;
  lang: Language;
  address: string;
  user: User | null;
  session: PortalSession | null;
  /** A session that has the password but owes its second factor (then `user` and `session` are null). */
  pending: { session: PortalSession; user: User; stage: Exclude<SecondFactorStage, 'done'> } | null;
  /** The token every form of this request carries (session token, or the pre-login one). */
  csrfToken: string;
  /** Set by the depot guard on /depots/:depotId routes. */
  depot: Depot;
  role: DepotRole;
  /** Set by the organisation guard on /organisations/:organisationId routes with customer data. */
  organisation: Organisation;
  organisationRole: OrganisationRole;
  /** Set by the organisation-owner guard on /organisations/:organisationId routes. */
  organisationId: number;
}

export type PortalEnv = { Variables: PortalVariables };
export type PortalContext = Context<PortalEnv>;

/** The signed-in user; only call behind a guard that requires one. */
export function currentUser(c: PortalContext): User {
  const user = c.get('user');
  if (!user) throw new Error('currentUser() behind a route without a signed-in guard');
  return user;
}
