import { DEFAULT_TIME_ZONE, toHex } from '@keydepot/shared';
import { loadOfflineMasterKey } from '../keys/offline-master-key.js';
import { loadRelayKey } from '../keys/relay-key.js';
import { isTimeZone, type ProvisioningKeys, provisionDepot } from '../provisioning/provision-depot.js';
import { bundlePath, MISSING_RELAY_HOST, refuseExistingBundle, writeBundle } from './bundle-file.js';
import {
  type CliContext,
  CliError,
  type Command,
  HELP_OPTION,
  integerOption,
  type OptionValues,
  optionalText,
  requiredText,
  UsageError,
} from './command.js';
import { resolveOrganisation } from './organisation.js';
import { printBundleSummary } from './summary.js';

/**
 * `depot create`: makes the depot's key pair, stores only the public key, and
 * writes the provisioning bundle (with the secret key) to a 0600 file. The
 * database rows, the audit entry and the file succeed or fail together.
 */
export const depotCreate: Command = {
  name: 'depot create',
  summary: 'register a new depot and write its provisioning bundle',
  help: [
    '--org <id or name>      organisation that owns the depot (required)',
    '--name <name>           depot name (required)',
    '--compartments <1-64>   number of compartments (required)',
    '--address <text>        where the depot stands',
    `--time-zone <zone>      IANA time zone (default ${DEFAULT_TIME_ZONE})`,
    '--language <de|en>      keypad and display language (default de)',
    '--out <file>            bundle file (default ./depot-<id>.json); never overwritten',
  ],
  options: {
    ...HELP_OPTION,
    org: { type: 'string' },
    name: { type: 'string' },
    compartments: { type: 'string' },
    address: { type: 'string' },
    'time-zone': { type: 'string' },
    language: { type: 'string' },
    out: { type: 'string' },
  },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const orgRef = requiredText(values, 'org');
    const name = requiredText(values, 'name');
    const compartmentCount = integerOption(values, 'compartments', 1, 64);
    const timeZone = timeZoneOption(values);
    const language = languageOption(values);
    const address = optionalText(values, 'address') ?? '';
    const out = optionalText(values, 'out');
    if (context.config.publicRelayHost === undefined) throw new CliError(MISSING_RELAY_HOST);
    if (out !== undefined) await refuseExistingBundle(bundlePath(context.cwd, out, 0));

    const { db } = await context.store();
    const organisation = await resolveOrganisation(db, orgRef);
    const backend = await context.crypto();
    const relay = await loadRelayKey({ file: context.config.relayKeyFile, backend, createIfMissing: true });
    const master = await loadOfflineMasterKey({ file: context.config.offlineMasterKeyFile, createIfMissing: true });
    const keys: ProvisioningKeys = {
      backend,
      relayPublicKey: relay.keyPair.publicKey,
      offlineMaster: master.key,
      publicRelayHost: context.config.publicRelayHost,
      publicRelayPort: context.config.publicRelayPort,
    };

    let removeFile: (() => Promise<void>) | undefined;
    let path = '';
    try {
      const { depot } = await provisionDepot(
        db,
        keys,
        {
          organisationId: organisation.id,
          name,
          address,
          compartmentCount,
          timeZone,
          language,
          nowMs: context.now(),
          by: { actor: 'cli' },
        },
        async (_trx, depot, bundle) => {
          path = bundlePath(context.cwd, out, depot.id);
          removeFile = await writeBundle(path, bundle);
        },
      );
      removeFile = undefined;
      if (relay.created) context.print(`Created the relay key ${context.config.relayKeyFile} (back it up).`);
      if (master.created) {
        context.print(`Created the offline master key ${context.config.offlineMasterKeyFile} (back it up).`);
      }
      context.print(
        `Depot ${depot.id} "${depot.name}" created for organisation ${organisation.id} "${organisation.name}".`,
      );
      printBundleSummary(context, { depot, path, relayPublicKeyHex: toHex(relay.keyPair.publicKey) });
    } finally {
      await removeFile?.();
    }
  },
};

function timeZoneOption(values: OptionValues): string {
  const zone = optionalText(values, 'time-zone') ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(zone)) {
    throw new UsageError(`--time-zone must be an IANA time zone such as Europe/Berlin, got '${zone}'`);
  }
  return zone;
}

export function languageOption(values: OptionValues): 'de' | 'en' {
  const language = optionalText(values, 'language') ?? 'de';
  if (language !== 'de' && language !== 'en') throw new UsageError(`--language must be de or en, got '${language}'`);
  return language;
}
