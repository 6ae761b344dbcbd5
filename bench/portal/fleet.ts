/**
 * The people and depots of the benchmark: one facility operator running
 * every depot (its facility manager is owner on all of them), and tenants
 * who each manage five (a car workshop, holiday flats, offices). Two of the
 * users log in through the portal; the other tenants exist so that grants,
 * members and users are as large as the fleet makes them.
 */
import { randomBytes } from 'node:crypto';
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import { addOrganisationMember, createOrganisation } from '../../cloud/src/store/organisations.js';
import { relayDb } from '../../cloud/src/store/relay/relay-schema.js';
import { toNumber } from '../../cloud/src/store/row-values.js';
import { createUser } from '../../cloud/src/store/users.js';
import { deriveSeed, seededRandom } from '../../firmware/src/link/seeded-random.js';

export const BENCH_PASSWORD = 'bench password for the portal';
/** Depots per tenant (the workshop is tenant 0). */
export const TENANT_DEPOTS = 5;
const CHUNK = 500;

export interface Fleet {
  readonly organisationId: number;
  /** Depot ids in creation order, with their compartment counts. */
  readonly depots: ReadonlyArray<{ id: number; compartments: number }>;
  /** Owner of every depot. */
  readonly facilityManager: string;
  /** Manager of the first TENANT_DEPOTS depots. */
  readonly workshop: string;
  readonly workshopDepotIds: readonly number[];
}

const STREETS = [
  'Hauptstraße',
  'Bahnhofstraße',
  'Lindenallee',
  'Industriestraße',
  'Am Markt',
  'Gartenweg',
  'Hafenstraße',
];
const CITIES = ['Hamburg', 'Bremen', 'Kiel', 'Lübeck', 'Hannover', 'Oldenburg', 'Rostock'];
const COMPARTMENTS = [4, 6, 6, 8, 12];

export async function createFleet(
  store: StoreDatabase,
  depotCount: number,
  nowMs: number,
  seed: number,
): Promise<Fleet> {
  const db = store.db;
  const random = seededRandom(deriveSeed(seed, 'fleet'));
  const org = await createOrganisation(db, { name: 'Nordlicht Facility Services GmbH', nowMs });

  const depotRows = Array.from({ length: depotCount }, (_, i) => {
    const offline = random() < 0.03;
    return {
      organisation_id: org.id,
      name:
        i < TENANT_DEPOTS
          ? `Werkstatt Jansen, Tor ${i + 1}`
          : `${STREETS[i % STREETS.length]} ${1 + Math.floor(random() * 120)}, ${CITIES[Math.floor(i / 7) % CITIES.length]}`,
      public_key: new Uint8Array(randomBytes(32)),
      compartment_count: COMPARTMENTS[i % COMPARTMENTS.length] as number,
      firmware_version: '1.4.2',
      last_seen_ms: offline ? nowMs - Math.floor(random() * 5 * 86_400_000) : nowMs - Math.floor(random() * 60_000),
      online: offline ? 0 : 1,
      created_at_ms: nowMs - 120 * 86_400_000,
    };
  });
  for (let i = 0; i < depotRows.length; i += CHUNK) {
    await db
      .insertInto('depots')
      .values(depotRows.slice(i, i + CHUNK))
      .execute();
  }
  const ids = await db.selectFrom('depots').select(['id', 'compartment_count']).orderBy('id').execute();
  const depots = ids.map((row) => ({ id: toNumber(row.id), compartments: toNumber(row.compartment_count) }));

  // Compartment rows and the newest STATUS per depot, as the relay keeps them.
  const compartmentRows = depots.flatMap((d) =>
    Array.from({ length: d.compartments }, (_, n) => ({
      depot_id: d.id,
      number: n + 1,
      label: `Fach ${n + 1}`,
      has_key_sensor: 1,
      key_present: random() < 0.6 ? 1 : 0,
      updated_at_ms: nowMs - 60_000,
    })),
  );
  for (let i = 0; i < compartmentRows.length; i += CHUNK) {
    await db
      .insertInto('compartments')
      .values(compartmentRows.slice(i, i + CHUNK))
      .execute();
  }
  const statusRows = depots.map((d) => ({
    depot_id: d.id,
    session_stamp: 1,
    counter: 1,
    received_at_ms: nowMs - 30_000,
    uptime_seconds: 86_400,
    last_command_id: 0,
    outbox_size: 0,
    lockout_until_ms: 0,
    failed_attempts: 0,
    clock_known: 1,
    firmware_version: '1.4.2',
    compartments: new Uint8Array(d.compartments).fill(4 | 8),
  }));
  for (let i = 0; i < statusRows.length; i += CHUNK) {
    await relayDb(store)
      .insertInto('depot_status')
      .values(statusRows.slice(i, i + CHUNK))
      .execute();
  }

  // The two users who log in get real Argon2id hashes; the other tenants have no password yet.
  const facilityManager = 'fm.nordlicht';
  const workshop = 'werkstatt.jansen';
  const manager = await createUser(db, { username: facilityManager, password: BENCH_PASSWORD, nowMs });
  const tenantIds = [(await createUser(db, { username: workshop, password: BENCH_PASSWORD, nowMs })).id];
  const tenantCount = Math.floor(depotCount / TENANT_DEPOTS);
  const others = Array.from({ length: Math.max(0, tenantCount - 1) }, (_, k) => ({
    username: `mieter-${k + 1}`,
    display_name: `Mieter ${k + 1}`,
    password_hash: null,
    created_at_ms: nowMs,
  }));
  for (let i = 0; i < others.length; i += CHUNK) {
    await db
      .insertInto('users')
      .values(others.slice(i, i + CHUNK))
      .execute();
  }
  const otherRows = await db
    .selectFrom('users')
    .select('id')
    .where('username', 'like', 'mieter-%')
    .orderBy('id')
    .execute();
  tenantIds.push(...otherRows.map((row) => toNumber(row.id)));
  for (const userId of [manager.id, ...tenantIds]) {
    await addOrganisationMember(db, { organisationId: org.id, userId, nowMs });
  }

  const grants = [
    ...depots.map((d) => ({ depot_id: d.id, user_id: manager.id, role: 'owner' as const, created_at_ms: nowMs })),
    ...tenantIds.flatMap((userId, k) =>
      depots.slice(k * TENANT_DEPOTS, (k + 1) * TENANT_DEPOTS).map((d) => ({
        depot_id: d.id,
        user_id: userId,
        role: 'manager' as const,
        created_at_ms: nowMs,
      })),
    ),
  ];
  for (let i = 0; i < grants.length; i += CHUNK) {
    await db
      .insertInto('depot_grants')
      .values(grants.slice(i, i + CHUNK))
      .execute();
  }
  return {
    organisationId: org.id,
    depots,
    facilityManager,
    workshop,
    workshopDepotIds: depots.slice(0, TENANT_DEPOTS).map((d) => d.id),
  };
}
