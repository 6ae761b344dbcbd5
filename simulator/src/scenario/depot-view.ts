import type { SimWorld, WorldDepot } from './world.js';

/** One compartment as the tester sees it: "3 locked  door closed  key present". */
export function compartmentLine(depot: WorldDepot, number: number, selected: boolean): string {
  const box = depot.sim.hardware.compartment(number);
  const key = box.key === undefined ? 'no key sensor' : box.key.raw ? 'key present' : 'key taken';
  const lock = box.lock.locked ? 'locked  ' : 'UNLOCKED';
  return `${selected ? '>' : ' '} ${String(number).padStart(2)}  ${lock}  door ${box.doorOpen ? 'OPEN  ' : 'closed'}  ${key}`;
}

/** The keypad's two LCD rows and LED: "display [Fach 3 offen    ] [                ]  LED green". */
export function displayLine(depot: WorldDepot): string {
  const { sim } = depot;
  const [line1, line2] = sim.hardware.keypad.lines;
  const lockedOut = sim.poweredOn && sim.daemon.core.lockedOut() ? '  KEYPAD LOCKED OUT' : '';
  return `  display [${line1.padEnd(16)}] [${line2.padEnd(16)}]  LED ${sim.hardware.keypad.ledColour}${lockedOut}`;
}

/**
 * What a tester standing at the depot would see (display, LED, doors, keys),
 * plus the network and power state and whether the cloud counts it online.
 */
export async function describeDepot(world: SimWorld, depot: WorldDepot): Promise<string[]> {
  const { sim } = depot;
  const row = await world.cloud.store.db
    .selectFrom('depots')
    .select('online')
    .where('id', '=', depot.depotId)
    .executeTakeFirst();
  const lines = [
    `${depot.alias}: ${depot.name} (depot ${depot.depotId})  ${sim.poweredOn ? 'powered' : 'POWER OFF'}  ` +
      `network ${sim.line.isCut ? 'CUT' : 'up'}  cloud sees it ${row?.online === 1 ? 'online' : 'offline'}`,
    displayLine(depot),
  ];
  const selected = world.selection.depot === depot ? world.selection.compartment : 0;
  for (let number = 1; number <= depot.compartments; number++) {
    lines.push(compartmentLine(depot, number, number === selected));
  }
  return lines;
}
