import { randomBytes } from 'node:crypto';
import { createBlindIndex } from '../../src/keys/blind-index.js';
import { createDataSealer } from '../../src/keys/data-key.js';
import type { CustomerInput } from '../../src/store/customers/customer-fields.js';
import { type CustomerKeys, createCustomer, type DataActor } from '../../src/store/customers/customers.js';
import type { Dialect } from '../../src/store/database.js';
import { createDepot } from '../../src/store/depots.js';
import type { InvoiceInput } from '../../src/store/invoices/invoice-input.js';
import { createDraft } from '../../src/store/invoices/invoices.js';
import { createOrganisation } from '../../src/store/organisations.js';
import { createUser } from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';

/** Herr Müller of the workshop story, and others made from a seed. */
export function customerInput(seed = 'Müller', overrides: Partial<CustomerInput> = {}): CustomerInput {
  return {
    name: `Jürgen ${seed}`,
    company: `${seed} Logistik GmbH`,
    email: `juergen.${seed.toLowerCase()}@example.org`.replace('ü', 'ue'),
    phone: '+49 171 2345678',
    address: `Hauptstraße 5\n20095 Hamburg`,
    plate: `HH-${seed.slice(0, 2).toUpperCase()} 4711`,
    note: `Ruft ${seed} vor Abholung an`,
    language: 'de',
    ...overrides,
  };
}

export interface CustomerWorld {
  readonly db: TestDatabase;
  readonly keys: CustomerKeys;
  readonly organisationId: number;
  readonly otherOrganisationId: number;
  readonly depotId: number;
  readonly userId: number;
  now: number;
  actor(organisationId?: number): DataActor & { userId: number };
  customer(seed?: string, organisationId?: number): Promise<number>;
  draft(customerId: number, overrides?: Partial<InvoiceInput>): Promise<number>;
  dispose(): Promise<void>;
}

/** A fresh store with two organisations, a 4-compartment depot in the first and a user. */
export async function createCustomerWorld(dialect: Dialect): Promise<CustomerWorld> {
  const db = await createTestDatabase(dialect);
  const keys: CustomerKeys = {
    sealer: createDataSealer(new Map([[1, new Uint8Array(randomBytes(32))]]), 1),
    index: createBlindIndex(new Uint8Array(randomBytes(32))),
  };
  const start = Date.UTC(2026, 2, 2, 9, 0, 0);
  const org = await createOrganisation(db.db, { name: 'Autohaus Kern', nowMs: start });
  const other = await createOrganisation(db.db, { name: 'Werkstatt Nord', nowMs: start });
  const depot = await createDepot(db.db, {
    organisationId: org.id,
    name: 'Hof',
    publicKey: new Uint8Array(randomBytes(32)),
    compartmentCount: 4,
    nowMs: start,
  });
  const user = await createUser(db.db, { username: 'inhaber', password: null, nowMs: start });
  const world: CustomerWorld = {
    db,
    keys,
    organisationId: org.id,
    otherOrganisationId: other.id,
    depotId: depot.id,
    userId: user.id,
    now: start,
    actor: (organisationId = org.id) => ({
      organisationId,
      actor: 'user',
      userId: user.id,
      nowMs: world.now,
      address: '192.0.2.1',
    }),
    async customer(seed = 'Müller', organisationId = org.id) {
      return (await createCustomer(db.db, keys, world.actor(organisationId), customerInput(seed))).id;
    },
    async draft(customerId, overrides = {}) {
      return createDraft(db.db, world.actor(), {
        customerId,
        invoiceDate: '2026-03-02',
        dueDate: '2026-03-16',
        depotId: depot.id,
        compartment: 3,
        pickupFromMs: null,
        pickupUntilMs: null,
        lines: [
          { text: 'Inspektion', quantityMilli: 1000, unitCents: 18900, vatRate: 19 },
          { text: 'Arbeitszeit', quantityMilli: 1500, unitCents: 8555, vatRate: 19 },
        ],
        ...overrides,
      });
    },
    dispose: () => db.dispose(),
  };
  return world;
}
