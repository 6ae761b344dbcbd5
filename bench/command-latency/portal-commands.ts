/**
 * The two commands a portal user sends a depot, queued through the functions
 * the portal's routes call once the route's guard has let the user through:
 * POST /depots/:id/pins (an online one-time PIN: createOnlinePin) and
 * POST /depots/:id/open (queueRemoteOpen), each followed by the relay's poke,
 * as the routes do.
 */
import { randomInt } from 'node:crypto';
import type { DataSealer } from '../../cloud/src/keys/data-key.js';
import type { StoreDatabase } from '../../cloud/src/store/database.js';
import { createOnlinePin, type PinActor } from '../../cloud/src/store/portal/pins-write.js';
import { queueRemoteOpen } from '../../cloud/src/store/portal/remote.js';

export type CommandKindName = 'pin' | 'open';

export interface QueuedCommand {
  readonly depotId: number;
  readonly commandId: number;
  readonly kind: CommandKindName;
  /** Wall clock (ms) when the queue call returned: the moment the portal would answer the user. */
  readonly returnedAtMs: number;
}

export interface PortalUser {
  readonly userId: number;
  readonly organisationId: number;
}

const DAY_MS = 86_400_000;

/** Queues one command as the portal does for `user` on `depotId` and pokes the relay afterwards. */
export async function queueAsPortal(
  store: StoreDatabase,
  sealer: DataSealer,
  user: PortalUser,
  target: { readonly depotId: number; readonly compartments: number; readonly kind: CommandKindName },
  pokeRelay: () => void,
): Promise<QueuedCommand> {
  const nowMs = Date.now();
  const actor: PinActor & { depotName: string } = {
    depotId: target.depotId,
    depotName: `depot ${target.depotId}`,
    organisationId: user.organisationId,
    userId: user.userId,
    nowMs,
    address: '127.0.0.1',
  };
  const compartment = 1 + randomInt(target.compartments);
  if (target.kind === 'open') {
    const commandId = await queueRemoteOpen(store, actor, compartment);
    const returnedAtMs = Date.now();
    pokeRelay();
    return { depotId: target.depotId, commandId, kind: target.kind, returnedAtMs };
  }
  const created = await createOnlinePin(store, sealer, {
    ...actor,
    kind: 'one-time',
    compartment,
    label: '',
    validFromMs: nowMs,
    validUntilMs: nowMs + DAY_MS,
    schedule: [],
  });
  const returnedAtMs = Date.now();
  pokeRelay();
  // The route shows the digits, not the command id: looked up after the clock stopped.
  const row = await store.db
    .selectFrom('pins')
    .select('command_id')
    .where('id', '=', created.pinId)
    .executeTakeFirstOrThrow();
  const commandId = Number(row.command_id);
  return { depotId: target.depotId, commandId, kind: target.kind, returnedAtMs };
}
