import {
  type Args,
  COMPARTMENT,
  DEPOT,
  type SimCommand,
  StepFailed,
  targetCompartment,
  targetDepot,
} from './command.js';
import { describeDepot } from './depot-view.js';
import { formatDuration } from './duration.js';
import type { SimWorld } from './world.js';

/** Commands at the depot itself: selection, keypad, doors, keys, network cable, power, time. */

const box = (world: SimWorld, args: Args) => {
  const depot = targetDepot(world, args);
  const number = targetCompartment(world, args, depot);
  return { depot, number, compartment: depot.sim.hardware.compartment(number) };
};

const display = (world: SimWorld, args: Args) => {
  const [line1, line2] = targetDepot(world, args).sim.hardware.keypad.lines;
  return line2 === '' ? `display: ${line1}` : `display: ${line1} / ${line2}`;
};

export const DEPOT_COMMANDS: readonly SimCommand[] = [
  {
    name: 'depot',
    summary: 'select the depot later commands act on',
    params: [{ name: 'depot', kind: 'text', doc: 'depot alias, id or name' }],
    async run(world, args) {
      const depot = world.depot(args.text('depot') as string);
      world.selection = { depot, compartment: Math.min(world.selection.compartment, depot.compartments) };
      return `selected ${depot.alias} (${depot.name}), compartment ${world.selection.compartment}`;
    },
  },
  {
    name: 'compartment',
    summary: 'select the compartment later commands act on',
    params: [{ name: 'compartment', kind: 'integer', doc: 'compartment number' }],
    async run(world, args) {
      world.selection = { ...world.selection, compartment: targetCompartment(world, args) };
      return `selected compartment ${world.selection.compartment} of ${world.selection.depot.alias}`;
    },
  },
  {
    name: 'status',
    summary: 'show the depot: display, LED, locks, doors, keys, network, power',
    params: [DEPOT],
    async run(world, args) {
      return (await describeDepot(world, targetDepot(world, args))).join('\n');
    },
  },
  {
    name: 'type',
    summary: "press keys on the depot's keypad (end a PIN with #)",
    params: [{ name: 'keys', kind: 'keys', doc: 'keys to press, e.g. 48291377#' }, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      if (!depot.sim.poweredOn) throw new StepFailed(`${depot.alias} is powered off: the keypad is dark`);
      depot.sim.hardware.keypad.type(args.text('keys') as string);
      return display(world, args);
    },
  },
  {
    name: 'open-door',
    summary: "pull a compartment's door (opens only while its lock is energised, unless forced)",
    params: [COMPARTMENT, { name: 'force', kind: 'flag', optional: true, doc: 'break it open (tamper)' }, DEPOT],
    async run(world, args) {
      const { number, compartment } = box(world, args);
      if (!compartment.openDoor({ force: args.flag('force') })) {
        throw new StepFailed(`compartment ${number} is locked: the door does not open`);
      }
      return `compartment ${number}: door open`;
    },
  },
  {
    name: 'close-door',
    summary: "shut a compartment's door",
    params: [COMPARTMENT, DEPOT],
    async run(world, args) {
      const { number, compartment } = box(world, args);
      compartment.closeDoor();
      return `compartment ${number}: door closed`;
    },
  },
  {
    name: 'take-key',
    summary: 'take the key out of an open compartment',
    params: [COMPARTMENT, DEPOT],
    async run(world, args) {
      const { number, compartment } = box(world, args);
      if (!compartment.doorOpen) throw new StepFailed(`compartment ${number}: the door is closed`);
      if (!compartment.takeKey()) throw new StepFailed(`compartment ${number}: there is no key to take`);
      return `compartment ${number}: key taken`;
    },
  },
  {
    name: 'return-key',
    summary: 'hang a key back into an open compartment',
    params: [COMPARTMENT, DEPOT],
    async run(world, args) {
      const { number, compartment } = box(world, args);
      if (!compartment.doorOpen) throw new StepFailed(`compartment ${number}: the door is closed`);
      if (!compartment.returnKey()) throw new StepFailed(`compartment ${number}: a key hangs there already`);
      return `compartment ${number}: key returned`;
    },
  },
  {
    name: 'cut-network',
    summary: "pull the depot's network cable (nothing gets through either way)",
    params: [DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      depot.sim.cutNetwork();
      return `${depot.alias}: network cut`;
    },
  },
  {
    name: 'restore-network',
    summary: "plug the depot's network cable back in",
    params: [DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      depot.sim.restoreNetwork();
      return `${depot.alias}: network restored`;
    },
  },
  {
    name: 'offline',
    summary: 'cut the network, let simulated time pass, restore it',
    params: [{ name: 'for', kind: 'duration', doc: 'how long, e.g. 2h or 7d' }, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const ms = args.duration('for') as number;
      depot.sim.cutNetwork();
      await world.pass(ms);
      depot.sim.restoreNetwork();
      return `${depot.alias}: offline for ${formatDuration(ms)}, network restored`;
    },
  },
  {
    name: 'power-cycle',
    summary: 'cut the power (the daemon stops where it is) and boot again on the same files',
    params: [{ name: 'down', kind: 'duration', optional: true, doc: 'how long the power stays off' }, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      depot.sim.powerOff();
      const down = args.duration('down') ?? 0;
      if (down > 0) await world.pass(down);
      await depot.sim.powerOn();
      return `${depot.alias}: power cut${down > 0 ? ` for ${formatDuration(down)}` : ''}, booted again`;
    },
  },
  {
    name: 'wait',
    summary: 'let simulated time pass (every depot timer on the way runs)',
    params: [{ name: 'for', kind: 'duration', doc: 'how long, e.g. 30s, 2h, 7d' }],
    async run(world, args) {
      const ms = args.duration('for') as number;
      await world.pass(ms);
      return `${formatDuration(ms)} passed; simulated time ${new Date(world.nowMs()).toISOString()}`;
    },
  },
  {
    name: 'network',
    summary: 'set how bad the network is for every depot (loss, duplication, reordering, delay)',
    params: [
      { name: 'loss', kind: 'integer', optional: true, doc: 'percent of datagrams lost' },
      { name: 'duplicate', kind: 'integer', optional: true, doc: 'percent delivered twice' },
      { name: 'reorder', kind: 'integer', optional: true, doc: 'percent held back so later ones overtake' },
      { name: 'delay', kind: 'duration', optional: true, doc: 'one-way delay' },
      { name: 'jitter', kind: 'duration', optional: true, doc: 'extra random delay up to this' },
    ],
    async run(world, args) {
      try {
        world.fleet.setNetwork({
          lossPercent: args.integer('loss'),
          duplicatePercent: args.integer('duplicate'),
          reorderPercent: args.integer('reorder'),
          delayMs: args.duration('delay'),
          jitterMs: args.duration('jitter'),
        });
      } catch (error) {
        throw new StepFailed((error as Error).message);
      }
      return `network: ${JSON.stringify(world.fleet.network)}`;
    },
  },
];
