import { toHex } from '@keydepot/shared';
import type { Depot } from '../store/depots.js';
import type { CliContext } from './command.js';

/** The readable part of `depot create` and `depot rekey`: what was made and what to do with the file. */
export function printBundleSummary(
  context: CliContext,
  input: { depot: Depot; path: string; relayPublicKeyHex: string },
): void {
  const { depot, path } = input;
  const { config } = context;
  const rows: Array<[string, string]> = [
    ['compartments', String(depot.compartmentCount)],
    ['address', depot.address || '-'],
    ['time zone', `${depot.timeZone}, language ${depot.language}`],
    ['depot public key', toHex(depot.publicKey)],
    ['offline key id', String(depot.offlineKeyId)],
    ['relay', `${config.publicRelayHost}:${config.publicRelayPort}`],
    ['relay public key', input.relayPublicKeyHex],
    ['bundle', `${path} (mode 0600)`],
  ];
  for (const [label, value] of rows) context.print(`  ${label.padEnd(17)} ${value}`);
  context.print('The bundle holds the depot secret key: import it on the depot, then delete it.');
}
