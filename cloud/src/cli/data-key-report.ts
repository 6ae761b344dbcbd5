import { SealedValueError } from '../keys/data-key.js';
import type { KeyUse } from '../keys/sealed-columns.js';
import { CliError } from './command.js';

/** "1 (3 values), 2 (1 value)", or "none". */
export function describeUses(uses: readonly KeyUse[]): string {
  const byKey = new Map<number, number>();
  for (const use of uses) byKey.set(use.keyId, (byKey.get(use.keyId) ?? 0) + use.values);
  if (byKey.size === 0) return 'none';
  return [...byKey]
    .sort(([a], [b]) => a - b)
    .map(([id, n]) => `${id} (${n} value${n === 1 ? '' : 's'})`)
    .join(', ');
}

/** Runs `work`, turning a value that does not open into a one-line CLI failure (the message names the value). */
export async function withSealedValueErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SealedValueError) throw new CliError(error.message);
    throw error;
  }
}
