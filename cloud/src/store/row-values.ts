/*
 * The two engines hand back the same columns in different JavaScript shapes:
 * insertId is a bigint, BIGINT columns may come back as number or (past 2^53,
 * or with some mysql2 settings) as string, binary columns as Buffer. The
 * repositories turn every row into one shape through these helpers.
 */

/** A whole number from a number, bigint or decimal string column; throws on anything else. */
export function toNumber(value: number | bigint | string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer from the database: ${String(value)}`);
  return n;
}

/** Like toNumber, keeping NULL as null. */
export function toNumberOrNull(value: number | bigint | string | null): number | null {
  return value === null ? null : toNumber(value);
}

/** The id of the row just inserted; both engines report it, as a bigint. */
export function insertedId(result: { insertId?: bigint | undefined }): number {
  if (result.insertId === undefined) throw new Error('the database reported no id for the inserted row');
  return toNumber(result.insertId);
}

/** A plain Uint8Array copy of a binary column (Buffer on both engines). */
export function toBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** A 0/1 flag column as a boolean. */
export function toFlag(value: number | bigint | string): boolean {
  return toNumber(value) !== 0;
}
