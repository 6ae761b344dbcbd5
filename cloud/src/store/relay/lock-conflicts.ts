/** MariaDB's deadlock and lock-wait-timeout errors: the transaction was rolled back and may simply run again. */
const LOCK_CONFLICTS = new Set([1213, 1205]);
const LOCK_CONFLICT_ATTEMPTS = 3;

/**
 * Runs a transaction again when MariaDB chose it as a deadlock's victim
 * (two relays, or two batches of one relay, meeting on a gap lock). Rolled
 * back means nothing of it is stored, so running it again is safe; the
 * in-transaction callback recomputes what it decides.
 */
export async function retryLockConflicts<R>(run: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const errno = (error as { errno?: unknown }).errno;
      if (attempt >= LOCK_CONFLICT_ATTEMPTS || typeof errno !== 'number' || !LOCK_CONFLICTS.has(errno)) throw error;
    }
  }
}
