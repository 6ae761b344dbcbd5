import { CommandRejectedError, type PinKindName, queueCommand } from '@keydepot/cloud/store';
import { type CommandBody, CommandKind, PinKind } from '@keydepot/shared';
import { COMPARTMENT, DEPOT, type SimCommand, StepFailed, targetCompartment, targetDepot } from './command.js';
import type { SimWorld, WorldDepot } from './world.js';

/** Commands from the owner's side: what the portal queues for a depot. */

// The portal's names for the kinds (cloud/src/store/portal/pins.ts), 'recurring' as the issue says it.
const PIN_KINDS: Readonly<Record<string, { readonly wire: PinKind; readonly portal: PinKindName }>> = {
  'one-time': { wire: PinKind.OneTime, portal: 'one-time' },
  'time-window': { wire: PinKind.TimeWindow, portal: 'time-window' },
  recurring: { wire: PinKind.RecurringWeekly, portal: 'weekly' },
  weekly: { wire: PinKind.RecurringWeekly, portal: 'weekly' },
  permanent: { wire: PinKind.Permanent, portal: 'permanent' },
};

// A remote open is valid this long (the protocol allows at most 60 s).
const OPEN_VALIDITY_MS = 30_000;

/** Queues a command as the portal does, stamped with simulated time, and wakes the relay to push it. */
async function queue(world: SimWorld, depot: WorldDepot, body: CommandBody, notAfterMs = 0): Promise<number> {
  try {
    const id = await queueCommand(world.cloud.store, depot.depotId, body, { nowMs: world.nowMs(), notAfterMs });
    world.lastCommand.set(depot.depotId, id);
    world.cloud.relay.poke();
    return id;
  } catch (error) {
    if (error instanceof CommandRejectedError) throw new StepFailed(`the cloud refused the command: ${error.message}`);
    throw error;
  }
}

/** A PIN an earlier step sent, by its name. */
export function sentPin(world: SimWorld, name: string) {
  const pin = world.pins.get(name);
  if (!pin)
    throw new StepFailed(`no PIN named '${name}' was sent (sent: ${[...world.pins.keys()].join(', ') || 'none'})`);
  return pin;
}

export const CLOUD_COMMANDS: readonly SimCommand[] = [
  {
    name: 'pin',
    summary: 'send a PIN for a compartment to the depot (as the portal does); later steps name it',
    params: [
      { name: 'name', kind: 'text', doc: 'what later steps call this PIN, e.g. guest' },
      { name: 'digits', kind: 'digits', doc: 'the PIN, 6-12 digits (8 keep clear of offline PINs)' },
      { name: 'kind', kind: { oneOf: Object.keys(PIN_KINDS) }, optional: true, doc: 'default one-time' },
      COMPARTMENT,
      { name: 'from', kind: 'moment', optional: true, doc: 'valid from (+2h or an ISO time)' },
      { name: 'until', kind: 'moment', optional: true, doc: 'valid until (+3d or an ISO time)' },
      { name: 'schedule', kind: 'schedule', optional: true, doc: "weekly hours, e.g. 'sat,sun 14:00-20:00'" },
      DEPOT,
    ],
    async run(world, args) {
      const name = args.text('name') as string;
      if (world.pins.has(name)) throw new StepFailed(`a PIN named '${name}' was sent already`);
      const depot = targetDepot(world, args);
      const compartment = targetCompartment(world, args, depot);
      const now = world.nowMs();
      const pinId = 1000 + world.pins.size + 1;
      const digits = args.text('digits') as string;
      const validUntilMs = args.moment('until', now) ?? 0;
      const kind = PIN_KINDS[args.text('kind') ?? 'one-time'] as (typeof PIN_KINDS)[string];
      const addCommandId = await queue(
        world,
        depot,
        {
          command: CommandKind.PinAdd,
          pinId,
          pinKind: kind.wire,
          compartment,
          digits,
          validFromMs: args.moment('from', now) ?? 0,
          validUntilMs,
          schedule: args.schedule('schedule') ?? [],
        },
        // As the portal queues it: a PIN_ADD is not sent after the PIN's end.
        validUntilMs,
      );
      world.pins.set(name, {
        name,
        depotId: depot.depotId,
        pinId,
        compartment,
        digits,
        kind: kind.portal,
        validUntilMs,
        addCommandId,
      });
      return `PIN '${name}' (${digits}) for ${depot.alias} compartment ${compartment} queued as command ${addCommandId}`;
    },
  },
  {
    name: 'revoke-pin',
    summary: 'revoke a PIN sent earlier',
    params: [{ name: 'name', kind: 'text', doc: 'the name the PIN was sent under' }],
    async run(world, args) {
      const pin = sentPin(world, args.text('name') as string);
      const depot = world.depot(pin.depotId);
      pin.revokeCommandId = await queue(world, depot, { command: CommandKind.PinRevoke, pinId: pin.pinId });
      pin.revokedAtMs = world.nowMs();
      return `revoke of PIN '${pin.name}' queued as command ${pin.revokeCommandId}`;
    },
  },
  {
    name: 'remote-open',
    summary: 'open a compartment from the portal (valid 30 s)',
    params: [COMPARTMENT, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const compartment = targetCompartment(world, args, depot);
      const body = { command: CommandKind.Open, compartment } as const;
      const id = await queue(world, depot, body, world.nowMs() + OPEN_VALIDITY_MS);
      return `remote open of ${depot.alias} compartment ${compartment} queued as command ${id}`;
    },
  },
  {
    name: 'reset-lockout',
    summary: "end the keypad's brute-force lockout from the portal",
    params: [DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const id = await queue(world, depot, { command: CommandKind.LockoutReset });
      return `lockout reset for ${depot.alias} queued as command ${id}`;
    },
  },
];
