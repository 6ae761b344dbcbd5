/**
 * Whether an insert failed on a unique key: SQLite's constraint error or
 * MariaDB/MySQL's duplicate-entry error (1062). A check before the insert
 * gives the friendly message; this catches the race two requests can still
 * run into between the check and the insert.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.errno === 1062;
}
