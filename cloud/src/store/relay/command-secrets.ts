import { type CommandBody, CommandKind } from '@keydepot/shared';
import type { DataSealer } from '../../keys/data-key.js';

/*
 * The secrets a command carries to its depot (today a PIN_ADD's digits) are
 * never written in clear: `commands.payload` holds the body without them, and
 * `commands.secret_sealed` holds them sealed with the data key
 * (keys/data-key.ts), the command's place as associated data. The relay opens
 * a command's secret once, when it first loads the command (relay/command-cache.ts
 * keeps the opened body), never per telegram.
 */

/** The fields of a body that are secret, by command kind. */
const SECRET_FIELDS: Partial<Record<CommandKind, readonly string[]>> = {
  [CommandKind.PinAdd]: ['digits'],
};

/** Where a command's sealed secret lives: the associated data of its seal. */
export const commandSecretPlace = (depotId: number, commandId: number) =>
  `commands.secret_sealed:${depotId}/${commandId}`;

/** A body split into what `payload` stores and the secret fields (null when it has none). */
export function splitSecret(body: CommandBody): { payload: string; secret: string | null } {
  const fields = SECRET_FIELDS[body.command] ?? [];
  const open: Record<string, unknown> = { ...body };
  const secret: Record<string, unknown> = {};
  for (const field of fields) {
    if (field in open) {
      secret[field] = open[field];
      delete open[field];
    }
  }
  return {
    payload: JSON.stringify(open),
    secret: Object.keys(secret).length > 0 ? JSON.stringify(secret) : null,
  };
}

/** True when a payload still holds a secret field in clear (a row written before secrets were sealed). */
export function payloadHoldsSecret(payload: string): boolean {
  try {
    const body = JSON.parse(payload) as CommandBody;
    return (SECRET_FIELDS[body.command] ?? []).some((field) => field in body);
  } catch {
    return false;
  }
}

/** The full body again: the payload with its opened secret fields. */
export function joinSecret(
  payload: string,
  sealed: Uint8Array | null,
  sealer: DataSealer | undefined,
  place: string,
): CommandBody {
  const body = JSON.parse(payload) as CommandBody;
  if (sealed === null || sealed.length === 0) return body;
  if (!sealer) throw new MissingSealerError('open a command secret');
  return { ...body, ...(JSON.parse(sealer.open(sealed, place)) as Record<string, unknown>) } as CommandBody;
}

/** The store was opened without the data key, and what was asked needs it: nothing secret is stored in clear. */
export class MissingSealerError extends Error {
  override readonly name = 'MissingSealerError';
  constructor(what: string) {
    super(`cannot ${what}: the store was opened without the data key (openDatabase(url, { sealer }))`);
  }
}
