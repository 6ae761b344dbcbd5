import type { CompartmentHardware } from './types.js';

/**
 * Releases every compartment's relay at once, synchronously, and goes on past a
 * lock whose release throws: the fail-safe path of a crash or a stop, where one
 * broken driver must not keep the others energised. Returns the errors.
 */
export function releaseEveryRelay(compartments: readonly Pick<CompartmentHardware, 'number' | 'lock'>[]): {
  readonly number: number;
  readonly error: unknown;
}[] {
  const failures: { number: number; error: unknown }[] = [];
  for (const c of compartments) {
    try {
      c.lock.release();
    } catch (error) {
      failures.push({ number: c.number, error });
    }
  }
  return failures;
}
