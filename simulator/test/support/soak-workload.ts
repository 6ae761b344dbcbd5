import type { Running } from '@keydepot/cloud';
import { queueCommand } from '@keydepot/cloud/store';
import { deriveSeed, seededRandom } from '@keydepot/firmware';
import { type CommandBody, CommandKind, MAX_OPEN_VALIDITY_MS, PinKind } from '@keydepot/shared';
import type { Fleet, SimulatedDepot } from '../../src/fleet.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface SoakWorkloadOptions {
  readonly cloud: Running;
  readonly fleet: Fleet;
  readonly compartments: number;
  readonly dayMs: number;
  readonly seed: number;
  /** Mean simulated time between two pickups at one depot. */
  readonly visitEveryMs: number;
}

export interface SoakWorkload {
  readonly counts: { commands: number; typed: number; opened: number; powerCuts: number };
  /** No new visits; waits for the commands being queued and powers every depot back on. */
  stop(): Promise<void>;
}

/**
 * Customers and an owner for every depot, on the fleet's clock. Per visit the
 * owner queues a one-time PIN and a decoy PIN revoked at once (the revoke must
 * not overtake its add), now and then a lockout reset, a language change
 * (CONFIG) or a remote OPEN; the customer comes
 * 20-40 simulated minutes later, sometimes mistypes first, opens the door and
 * takes the key (or hangs it back). About one depot in ten loses power once.
 */
export function startSoakWorkload(options: SoakWorkloadOptions): SoakWorkload {
  const { cloud, fleet, compartments, dayMs, seed, visitEveryMs } = options;
  const counts = { commands: 0, typed: 0, opened: 0, powerCuts: 0 };
  const pending = new Set<Promise<unknown>>();
  let stopped = false;
  const track = (promise: Promise<unknown>) => {
    pending.add(promise);
    promise.finally(() => pending.delete(promise));
  };
  const queue = async (depot: SimulatedDepot, body: CommandBody) => {
    counts.commands++;
    // The relay's clock: the command's created time stays in simulated time like everything else it writes.
    const nowMs = Math.floor(fleet.clock.wallMs());
    const notAfterMs = body.command === CommandKind.Open ? nowMs + MAX_OPEN_VALIDITY_MS : 0;
    await queueCommand(cloud.store, depot.depotId, body, { nowMs, notAfterMs });
    cloud.relay.poke();
  };
  for (const depot of fleet.depots) {
    const random = seededRandom(deriveSeed(seed, 'workload', depot.depotId));
    let nextPin = 1;
    const visit = () => {
      if (stopped) return;
      const compartment = 1 + Math.floor(random() * compartments);
      const digits = String(10_000_000 + Math.floor(random() * 89_999_999));
      const pinId = nextPin++;
      const decoy = nextPin++;
      const resetLockout = random() < 0.25;
      const language = random() < 0.1 ? (random() < 0.5 ? 'en' : 'de') : undefined;
      const remoteOpen = random() < 0.1;
      // One after the other, as an owner clicks: the ids are the order the depot must apply them in.
      track(
        (async () => {
          await queue(depot, pinAdd(pinId, compartment, digits));
          await queue(depot, pinAdd(decoy, compartment, String(10_000_000 + decoy)));
          await queue(depot, { command: CommandKind.PinRevoke, pinId: decoy });
          if (resetLockout) await queue(depot, { command: CommandKind.LockoutReset });
          if (language) await queue(depot, { command: CommandKind.Config, settings: { language } });
          // An OPEN may expire on the way (60 s of validity in 30% loss): then it is handled, not applied.
          if (remoteOpen) await queue(depot, { command: CommandKind.Open, compartment });
        })(),
      );
      fleet.clock.after(20 * MINUTE_MS + random() * 20 * MINUTE_MS, () => {
        if (stopped || !depot.poweredOn) return;
        if (random() < 0.3) depot.hardware.keypad.type('00000000#');
        const box = depot.hardware.compartment(compartment);
        counts.typed++;
        depot.hardware.keypad.type(`${digits}#`);
        fleet.clock.after(1_000, () => {
          if (!box.openDoor()) return;
          counts.opened++;
          if (!box.takeKey()) box.returnKey();
          fleet.clock.after(30_000 + random() * MINUTE_MS, () => box.closeDoor());
        });
      });
      fleet.clock.after(visitEveryMs * (0.5 + random()), visit);
    };
    fleet.clock.after(random() * Math.min(visitEveryMs, HOUR_MS), visit);
    if (random() < 0.1) {
      fleet.clock.after(random() * dayMs * 0.8, () => {
        if (stopped || !depot.poweredOn) return;
        counts.powerCuts++;
        depot.powerOff();
        fleet.clock.after(random() * 10 * MINUTE_MS, () => track(depot.powerOn()));
      });
    }
  }
  return {
    counts,
    async stop() {
      stopped = true;
      while (pending.size > 0) await Promise.all([...pending]);
      for (const depot of fleet.depots) if (!depot.poweredOn) await depot.powerOn();
    },
  };
}

function pinAdd(pinId: number, compartment: number, digits: string): CommandBody {
  return {
    command: CommandKind.PinAdd,
    pinId,
    pinKind: PinKind.OneTime,
    compartment,
    digits,
    validFromMs: 0,
    validUntilMs: 0,
    schedule: [],
  };
}
