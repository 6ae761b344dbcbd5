import { randomInt } from 'node:crypto';
import type { Running } from '@keydepot/cloud';
import { queueCommand } from '@keydepot/cloud/store';
import { CommandKind, PinKind } from '@keydepot/shared';
import type { Fleet } from '../fleet.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the depot reported the command (applied, failed, rejected, expired); returns that state. */
async function commandFinished(cloud: Running, depotId: number, id: number): Promise<string> {
  let state = 'queued';
  await waitUntil(`command ${id} on depot ${depotId}`, async () => {
    const row = await cloud.store.db
      .selectFrom('commands')
      .select('state')
      .where('depot_id', '=', depotId)
      .where('id', '=', id)
      .executeTakeFirst();
    state = row?.state ?? 'queued';
    return state !== 'queued' && state !== 'sent';
  });
  return state;
}

/** A workshop's after-hours pickup: a one-time PIN goes to the depot, the customer types it and takes the key. */
export async function afterHoursPickup(cloud: Running, fleet: Fleet, depotId: number, compartment: number) {
  // 8 digits: stored PINs stay out of the 9-digit offline-PIN space.
  const digits = String(randomInt(10_000_000, 99_999_999));
  const id = await queueCommand(cloud.store, depotId, {
    command: CommandKind.PinAdd,
    pinId: randomInt(1, 2 ** 31),
    pinKind: PinKind.OneTime,
    compartment,
    digits,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  });
  cloud.relay.poke();
  await commandFinished(cloud, depotId, id);
  const { hardware } = fleet.depot(depotId);
  const box = hardware.compartment(compartment);
  const pulses = box.lock.pulses.length;
  hardware.keypad.type(`${digits}#`);
  await waitUntil('the lock to open', () => box.lock.pulses.length > pulses, 5_000);
  box.openDoor();
  box.takeKey();
  await sleep(300);
  box.closeDoor();
  return digits;
}

/** Someone tries PINs at random. */
export async function wrongPins(fleet: Fleet, depotId: number, count: number) {
  const { hardware } = fleet.depot(depotId);
  for (let i = 0; i < count; i++) {
    hardware.keypad.type(`${randomInt(100_000, 999_999)}#`);
    await sleep(200);
  }
}

/** The owner opens a compartment from the portal; a key is put back. */
export async function remoteOpenAndReturn(cloud: Running, fleet: Fleet, depotId: number, compartment: number) {
  const id = await queueCommand(
    cloud.store,
    depotId,
    { command: CommandKind.Open, compartment },
    { notAfterMs: Date.now() + 30_000 },
  );
  cloud.relay.poke();
  const state = await commandFinished(cloud, depotId, id);
  const box = fleet.depot(depotId).hardware.compartment(compartment);
  if (state === 'applied' && box.openDoor()) {
    box.returnKey();
    await sleep(300);
    box.closeDoor();
  }
  return state;
}
