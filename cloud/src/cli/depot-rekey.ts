import { generateKeyPair, toHex } from '@keydepot/shared';
import { loadOfflineMasterKey } from '../keys/offline-master-key.js';
import { loadRelayKey } from '../keys/relay-key.js';
import { appendAudit } from '../store/audit.js';
import { DepotRevokedError, depotForAudit, rekeyDepot, requireDepot } from '../store/depots.js';
import { buildBundle, bundlePath, MISSING_RELAY_HOST, refuseExistingBundle, writeBundle } from './bundle-file.js';
import {
  type CliContext,
  CliError,
  type Command,
  depotIdOption,
  HELP_OPTION,
  type OptionValues,
  optionalText,
} from './command.js';
import { printBundleSummary } from './summary.js';

/**
 * `depot rekey`: a new key pair and a new bundle for an existing depot (a
 * replaced SD card, a leaked bundle). The old key stops working at once. The
 * offline key stays unless --new-offline-key, which voids every offline PIN
 * issued so far (offline keys rotate only with a new bundle, protocol §14).
 */
export const depotRekey: Command = {
  name: 'depot rekey',
  summary: 'give a depot a new key pair and write its new provisioning bundle',
  help: [
    '--depot <id>            the depot (required)',
    '--new-offline-key       also derive a new offline key (voids issued offline PINs)',
    '--out <file>            bundle file (default ./depot-<id>.json); never overwritten',
  ],
  options: {
    ...HELP_OPTION,
    depot: { type: 'string' },
    'new-offline-key': { type: 'boolean' },
    out: { type: 'string' },
  },
  async run(context: CliContext, values: OptionValues): Promise<void> {
    const depotId = depotIdOption(values);
    const newOfflineKey = values['new-offline-key'] === true;
    const path = bundlePath(context.cwd, optionalText(values, 'out'), depotId);
    if (context.config.publicRelayHost === undefined) throw new CliError(MISSING_RELAY_HOST);

    const { db } = await context.store();
    const current = await requireDepot(db, depotId);
    if (current.revokedAtMs !== null) throw new DepotRevokedError(depotId);
    await refuseExistingBundle(path);
    const backend = await context.crypto();
    // Only read here: a missing key file means a wrong data folder, not a first run.
    const relay = await loadRelayKey({ file: context.config.relayKeyFile, backend, createIfMissing: false });
    const master = await loadOfflineMasterKey({ file: context.config.offlineMasterKeyFile, createIfMissing: false });
    const depotKeys = generateKeyPair(backend);
    const nowMs = context.now();

    let removeFile: (() => Promise<void>) | undefined;
    try {
      const after = await db.transaction().execute(async (trx) => {
        const change = await rekeyDepot(trx, { depotId, publicKey: depotKeys.publicKey, newOfflineKey });
        const bundle = buildBundle({
          config: context.config,
          depot: change.after,
          depotKeys,
          relayPublicKey: relay.keyPair.publicKey,
          offlineMaster: master.key,
          nowMs,
        });
        removeFile = await writeBundle(path, bundle);
        await appendAudit(trx, {
          atMs: nowMs,
          actor: 'cli',
          action: 'depot.rekey',
          organisationId: change.after.organisationId,
          depotId,
          subject: change.after.name,
          before: depotForAudit(change.before),
          after: depotForAudit(change.after),
        });
        return change.after;
      });
      removeFile = undefined;
      context.print(`Depot ${after.id} "${after.name}" has a new key pair; the old one no longer connects.`);
      if (newOfflineKey) context.print('Its offline key is new too: offline PINs issued before are void.');
      printBundleSummary(context, { depot: after, path, relayPublicKeyHex: toHex(relay.keyPair.publicKey) });
    } finally {
      await removeFile?.();
      depotKeys.secretKey.fill(0);
    }
  },
};
