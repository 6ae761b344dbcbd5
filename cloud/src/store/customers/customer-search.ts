import { type Kysely, sql } from 'kysely';
import type { BlindIndex } from '../../keys/blind-index.js';
import type { DataSealer } from '../../keys/data-key.js';
import { toNumber } from '../row-values.js';
import type { Schema } from '../schema.js';
import { type Customer, customersByIds } from './customers.js';
import { readSearch } from './search-terms.js';

/**
 * Finds an organisation's customers by what was typed: a customer number, an
 * exact e-mail, phone or plate (after normalising), or every word given of a
 * name or company. Only index values are compared (customer_index, under the
 * organisation's own key); no sealed column is opened to search. Hits are
 * opened afterwards, at most `limit` of them, highest number first.
 */
export async function searchCustomers(
  db: Kysely<Schema>,
  keys: { sealer: DataSealer; index: BlindIndex },
  organisationId: number,
  text: string,
  limit: number,
): Promise<Customer[]> {
  const reading = readSearch(text);
  const ids = new Set<number>();
  if (reading.number !== null) {
    const row = await db
      .selectFrom('customers')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('number', '=', reading.number)
      .executeTakeFirst();
    if (row) ids.add(toNumber(row.id));
  }
  const exact = reading.exact.map((t) => keys.index.token(organisationId, t.kind, t.value));
  if (exact.length > 0) {
    const rows = await db
      .selectFrom('customer_index')
      .select('customer_id')
      .where('organisation_id', '=', organisationId)
      .where('token', 'in', exact)
      .orderBy('customer_id', 'desc')
      .limit(limit)
      .execute();
    for (const row of rows) ids.add(toNumber(row.customer_id));
  }
  if (reading.words.length > 0) {
    const words = reading.words.map((w) => keys.index.token(organisationId, 'word', w));
    const rows = await db
      .selectFrom('customer_index')
      .select('customer_id')
      .where('organisation_id', '=', organisationId)
      .where('token', 'in', words)
      .groupBy('customer_id')
      .having(sql`count(*)`, '=', words.length)
      .orderBy('customer_id', 'desc')
      .limit(limit)
      .execute();
    for (const row of rows) ids.add(toNumber(row.customer_id));
  }
  const found = await customersByIds(db, keys.sealer, organisationId, [...ids]);
  return [...found.values()].sort((a, b) => b.number - a.number).slice(0, limit);
}
