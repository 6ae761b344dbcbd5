import { type RawBuilder, sql } from 'kysely';
import { escape as escapeForMysql } from 'mysql2';
import type { Dialect } from '../database.js';

// SQL fragments for the MySQL/MariaDB uplink batch (uplinks-mysql.ts) and the
// multi-row helpers it calls. Kysely's query builder costs more CPU per row
// than the database's own work, so the rows are written into the statement as
// literals (below): mysql2 would escape every parameter into the text anyway,
// after Kysely had built a node per value. The SQLite batch uses none of this:
// it runs statements prepared once per handle, one per row (uplinks-sqlite.ts).
// The SQLite branches of idsIn and byPrimaryKey remain for the helpers that
// still take a dialect (raiseLastAppliedMany, reserveCountersInMany), whose
// tests run them on both engines.

/** `IN (…)` operand for integer ids: a JSON parameter on SQLite, inline integers on MySQL. */
export function idsIn(dialect: Dialect, ids: readonly number[]): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`not an id: ${id}`);
  return sql`(${sql.raw(ids.join(','))})`;
}

/**
 * After a table name in a statement that picks rows by `id IN (…)`: on
 * MySQL/MariaDB, FORCE INDEX (PRIMARY). Once the list holds a fifth of the
 * table, the optimizer prefers a full index scan, and a locking statement then
 * locks every row it scanned: the other uplink lane (disjoint depots) waited
 * for it or deadlocked. Nothing on SQLite.
 */
export function byPrimaryKey(dialect: Dialect): RawBuilder<unknown> {
  return sql.raw(dialect === 'mysql' ? ' FORCE INDEX (PRIMARY)' : '');
}

/** A value the MySQL batch statements write as a literal. */
export type MysqlValue = number | string | Uint8Array | null;

/**
 * MySQL only: one value as SQL literal text. Integers are checked, strings and
 * bytes escaped by mysql2's own escaping (what it does to a `?` parameter).
 */
export function mysqlLiteral(value: MysqlValue): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  return escapeForMysql(value);
}

/** MySQL only: `(a, b), (c, d)`, the rows of a VALUES list, as one raw fragment. */
export function mysqlRows(rows: readonly (readonly MysqlValue[])[]): RawBuilder<unknown> {
  return sql.raw(rows.map((row) => `(${row.map(mysqlLiteral).join(', ')})`).join(', '));
}

/** `CASE column WHEN k THEN v … END` over integers (checked), as one raw fragment; both engines. */
export function integerCase(column: string, entries: Iterable<readonly [number, number]>): RawBuilder<unknown> {
  let text = `CASE ${column}`;
  for (const [key, value] of entries) text += ` WHEN ${mysqlLiteral(key)} THEN ${mysqlLiteral(value)}`;
  return sql.raw(`${text} END`);
}
