import { readFileSync } from 'node:fs';
import { BundleError, parseProvisioningBundle } from '@keydepot/shared';
import { DepotConfigError, writeProvisioning } from '../config.js';
import { CliError, type CliIo, configDirOf, parseCommandArgs } from './cli-io.js';

/** `keydepot-depot provision <bundle.json> [--config-dir dir] [--force]`. */
export function provisionCommand(argv: readonly string[], io: CliIo): number {
  const args = parseCommandArgs(argv, { force: { type: 'boolean' } });
  const [bundlePath] = args.positionals;
  if (bundlePath === undefined)
    throw new CliError('usage: keydepot-depot provision <bundle.json> [--config-dir dir] [--force]');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(bundlePath, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${bundlePath}: ${(error as Error).message}`);
  }
  try {
    const bundle = parseProvisioningBundle(raw);
    const summary = writeProvisioning(bundle, configDirOf(args, io), { force: args.values.force === true });
    io.stdout.write(
      [
        `${summary.replaced ? 'Re-provisioned' : 'Provisioned'} depot ${summary.depotId} '${summary.name}' in ${summary.configDir}`,
        `  relay        ${summary.relay}`,
        `  compartments ${summary.compartments}`,
        `  time zone    ${bundle.timeZone}, language ${bundle.language}`,
        '  files        depot.json, depot.key and offline.key written with mode 0600',
        `Delete ${bundlePath} now: it holds the depot's secret key.`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof BundleError || error instanceof DepotConfigError) throw new CliError(error.message);
    throw error;
  }
}
