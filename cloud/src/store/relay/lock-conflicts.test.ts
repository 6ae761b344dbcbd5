import { describe, expect, it } from 'vitest';
import { retryLockConflicts } from './lock-conflicts.js';

const mysqlError = (errno: number) => Object.assign(new Error(`errno ${errno}`), { errno });

describe('retryLockConflicts', () => {
  it('runs a transaction again after a deadlock or a lock wait timeout', async () => {
    const errors = [mysqlError(1213), mysqlError(1205)];
    let runs = 0;
    const result = await retryLockConflicts(async () => {
      runs++;
      const error = errors.shift();
      if (error) throw error;
      return 'stored';
    });
    expect(result).toBe('stored');
    expect(runs).toBe(3);
  });

  it('gives up after three attempts, and passes any other error on at once', async () => {
    let runs = 0;
    await expect(
      retryLockConflicts(async () => {
        runs++;
        throw mysqlError(1213);
      }),
    ).rejects.toThrow('errno 1213');
    expect(runs).toBe(3);
    runs = 0;
    await expect(
      retryLockConflicts(async () => {
        runs++;
        throw mysqlError(1062);
      }),
    ).rejects.toThrow('errno 1062');
    expect(runs).toBe(1);
  });
});
