import type { Kysely, Selectable } from 'kysely';
import type { BlindIndex } from '../../keys/blind-index.js';
import type { DataSealer } from '../../keys/data-key.js';
import { type AuditActor, appendAudit } from '../audit.js';
import { inTransaction } from '../depots.js';
import { ensureSequence, nextSequenceValue } from '../organisation-sequences.js';
import { insertedId, toNumber, toNumberOrNull } from '../row-values.js';
import type { CustomersTable, Schema } from '../schema.js';
import {
  CUSTOMER_LANGUAGES,
  type CustomerInput,
  type CustomerLanguage,
  checkCustomer,
  customerPlace,
  EMPTY_PERSONAL,
  type FieldProblem,
  PERSONAL_FIELDS,
  type PersonalData,
  type PersonalField,
  sealedColumn,
  trimmedCustomer,
} from './customer-fields.js';
import { indexTerms } from './search-terms.js';

/** Who changes customer data, for the audit entry. */
export interface DataActor {
  readonly organisationId: number;
  readonly actor: AuditActor;
  readonly userId: number | null;
  readonly nowMs: number;
  readonly address: string | null;
}

/** What sealing and indexing need. */
export interface CustomerKeys {
  readonly sealer: DataSealer;
  readonly index: BlindIndex;
}

export class CustomerInputError extends Error {
  override name = 'CustomerInputError';
  constructor(readonly problems: Partial<Record<PersonalField | 'language', FieldProblem>>) {
    super(`bad customer input: ${Object.keys(problems).join(', ')}`);
  }
}

export interface Customer {
  readonly id: number;
  readonly organisationId: number;
  readonly number: number;
  readonly language: CustomerLanguage;
  /** The opened personal fields; all empty once erased. */
  readonly personal: PersonalData;
  readonly pseudonym: string | null;
  readonly erasedAtMs: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly lastActivityMs: number;
}

const CUSTOMER_SEQUENCE = 'customer';

/** What a customer is called on a page: name, else company, else the pseudonym of an erased one. */
export function displayName(customer: Pick<Customer, 'personal' | 'pseudonym'>): string {
  return customer.personal.name || customer.personal.company || customer.pseudonym || '';
}

function sealedValues(keys: CustomerKeys, customerId: number, data: PersonalData) {
  const values: Partial<Record<`${PersonalField}_sealed`, Uint8Array | null>> = {};
  for (const field of PERSONAL_FIELDS) {
    const value = data[field];
    values[sealedColumn(field)] = value === '' ? null : keys.sealer.seal(value, customerPlace(field)(customerId));
  }
  return values;
}

/** Replaces the customer's blind-index rows by those of `data`. */
async function reindex(trx: Kysely<Schema>, index: BlindIndex, organisationId: number, id: number, data: PersonalData) {
  await trx.deleteFrom('customer_index').where('customer_id', '=', id).execute();
  const rows = indexTerms(data).map((term) => ({
    organisation_id: organisationId,
    token: index.token(organisationId, term.kind, term.value),
    customer_id: id,
  }));
  if (rows.length > 0) await trx.insertInto('customer_index').values(rows).execute();
}

function audit(
  trx: Kysely<Schema>,
  actor: DataActor,
  action: string,
  number: number,
  before?: unknown,
  after?: unknown,
) {
  return appendAudit(trx, {
    atMs: actor.nowMs,
    actor: actor.actor,
    actorUserId: actor.userId,
    action,
    organisationId: actor.organisationId,
    subject: `customer ${number}`,
    before,
    after,
    address: actor.address,
  });
}

/** Which fields hold a value: what an audit entry may say about personal data (never the values). */
const filled = (data: PersonalData) => PERSONAL_FIELDS.filter((f) => data[f] !== '');

/**
 * Creates a customer with the next number of the organisation: the row, its
 * sealed fields, its index rows and the audit entry in one transaction.
 * Throws CustomerInputError (nothing written) for bad input.
 */
export async function createCustomer(
  db: Kysely<Schema>,
  keys: CustomerKeys,
  actor: DataActor,
  input: CustomerInput,
): Promise<{ id: number; number: number }> {
  const data = trimmedCustomer(input);
  const problems = checkCustomer(data);
  if (Object.keys(problems).length > 0) throw new CustomerInputError(problems);
  await ensureSequence(db, actor.organisationId, CUSTOMER_SEQUENCE);
  return inTransaction(db, async (trx) => {
    const number = await nextSequenceValue(trx, actor.organisationId, CUSTOMER_SEQUENCE);
    const result = await trx
      .insertInto('customers')
      .values({
        organisation_id: actor.organisationId,
        number,
        language: data.language,
        created_at_ms: actor.nowMs,
        created_by_user_id: actor.userId,
        updated_at_ms: actor.nowMs,
        last_activity_ms: actor.nowMs,
      })
      .executeTakeFirstOrThrow();
    const id = insertedId(result);
    await trx
      .updateTable('customers')
      .set(sealedValues(keys, id, data))
      .where('id', '=', id)
      .execute();
    await reindex(trx, keys.index, actor.organisationId, id, data);
    await audit(trx, actor, 'customer.create', number, undefined, { language: data.language, fields: filled(data) });
    return { id, number };
  });
}

/**
 * Changes a live customer of the organisation. False when there is no such
 * customer there (another organisation's id) or it was erased. The audit
 * entry names the changed fields, not their values.
 */
export async function updateCustomer(
  db: Kysely<Schema>,
  keys: CustomerKeys,
  actor: DataActor,
  customerId: number,
  input: CustomerInput,
): Promise<boolean> {
  const data = trimmedCustomer(input);
  const problems = checkCustomer(data);
  if (Object.keys(problems).length > 0) throw new CustomerInputError(problems);
  return inTransaction(db, async (trx) => {
    const before = await findCustomer(trx, keys.sealer, actor.organisationId, customerId);
    if (!before || before.erasedAtMs !== null) return false;
    const changed = PERSONAL_FIELDS.filter((f) => before.personal[f] !== data[f]);
    const languageChanged = before.language !== data.language;
    if (changed.length === 0 && !languageChanged) return true;
    await trx
      .updateTable('customers')
      .set({
        ...sealedValues(keys, customerId, data),
        language: data.language,
        updated_at_ms: actor.nowMs,
        last_activity_ms: actor.nowMs,
      })
      .where('id', '=', customerId)
      .where('organisation_id', '=', actor.organisationId)
      .execute();
    await reindex(trx, keys.index, actor.organisationId, customerId, data);
    await audit(
      trx,
      actor,
      'customer.update',
      before.number,
      languageChanged ? { language: before.language } : undefined,
      { changed, ...(languageChanged ? { language: data.language } : {}) },
    );
    return true;
  });
}

export function customerFromRow(row: Selectable<CustomersTable>, sealer: DataSealer): Customer {
  const id = toNumber(row.id);
  const personal: Record<string, string> = { ...EMPTY_PERSONAL };
  for (const field of PERSONAL_FIELDS) {
    const value = row[sealedColumn(field)];
    if (value) personal[field] = sealer.open(new Uint8Array(value), customerPlace(field)(id));
  }
  const language = (CUSTOMER_LANGUAGES as readonly string[]).includes(row.language) ? row.language : 'de';
  return {
    id,
    organisationId: toNumber(row.organisation_id),
    number: toNumber(row.number),
    language: language as CustomerLanguage,
    personal: personal as unknown as PersonalData,
    pseudonym: row.pseudonym,
    erasedAtMs: toNumberOrNull(row.erased_at_ms),
    createdAtMs: toNumber(row.created_at_ms),
    updatedAtMs: toNumber(row.updated_at_ms),
    lastActivityMs: toNumber(row.last_activity_ms),
  };
}

/** One customer of the organisation, opened; null for an id of another organisation's customer. */
export async function findCustomer(
  db: Kysely<Schema>,
  sealer: DataSealer,
  organisationId: number,
  customerId: number,
): Promise<Customer | null> {
  const row = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', customerId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row ? customerFromRow(row, sealer) : null;
}

/** Customers by id within the organisation (a page of search hits or an invoice list), opened. */
export async function customersByIds(
  db: Kysely<Schema>,
  sealer: DataSealer,
  organisationId: number,
  ids: readonly number[],
): Promise<Map<number, Customer>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('customers')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [toNumber(row.id), customerFromRow(row, sealer)]));
}

/** A page of the organisation's customers, newest number first, from below `beforeNumber` (keyset paging). */
export async function listCustomers(
  db: Kysely<Schema>,
  sealer: DataSealer,
  organisationId: number,
  options: { beforeNumber?: number; limit: number },
): Promise<Customer[]> {
  let query = db.selectFrom('customers').selectAll().where('organisation_id', '=', organisationId);
  if (options.beforeNumber !== undefined) query = query.where('number', '<', options.beforeNumber);
  const rows = await query.orderBy('number', 'desc').limit(options.limit).execute();
  return rows.map((row) => customerFromRow(row, sealer));
}

/** Marks that something happened for the customer (an invoice changed): what retention counts from. */
export async function touchCustomer(trx: Kysely<Schema>, customerId: number, nowMs: number): Promise<void> {
  await trx.updateTable('customers').set({ last_activity_ms: nowMs }).where('id', '=', customerId).execute();
}
