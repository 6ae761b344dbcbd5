import {
  commandState,
  countEvents,
  EVENT_NAMES,
  type EventFilter,
  isOnline,
  PIN_STATES,
  recentEvents,
  sentPinState,
} from './cloud-checks.js';
import { sentPin } from './cloud-commands.js';
import {
  type Args,
  COMPARTMENT,
  DEPOT,
  type SimCommand,
  StepFailed,
  targetCompartment,
  targetDepot,
  WITHIN,
} from './command.js';
import { formatDuration } from './duration.js';
import type { SimWorld } from './world.js';

/**
 * Expectations. Each looks at the real thing (the cloud's store, the depot's
 * hardware) and, where the answer travels over the network, lets simulated
 * time pass in small steps until it holds or `within` is used up; a step that
 * fails says what it saw instead.
 */

interface Probe {
  readonly ok: boolean;
  /** What was found, for the failure message. */
  readonly seen: string;
}

// However slow the machine, one expectation never blocks a run for longer than this.
const REAL_LIMIT_MS = 30_000;

/**
 * Calls `probe` now and after each small step of simulated time (1/100 of
 * `withinMs`, 50 ms to 10 s) until it returns true or the window is used up.
 */
async function poll(world: SimWorld, withinMs: number, probe: () => Promise<boolean>) {
  const started = world.elapsedMs();
  const realDeadline = Date.now() + REAL_LIMIT_MS;
  const step = Math.min(10_000, Math.max(50, withinMs / 100));
  for (;;) {
    if (await probe()) return { held: true, waitedMs: world.elapsedMs() - started, realTimeout: false };
    const waitedMs = world.elapsedMs() - started;
    if (waitedMs >= withinMs) return { held: false, waitedMs, realTimeout: false };
    if (Date.now() > realDeadline) return { held: false, waitedMs, realTimeout: true };
    await world.pass(Math.min(step, withinMs - waitedMs));
  }
}

/** Waits until the probe holds; throws StepFailed with what it saw last. Returns that. */
export async function waitFor(world: SimWorld, withinMs: number, what: string, probe: () => Promise<Probe>) {
  let last: Probe = { ok: false, seen: '' };
  const result = await poll(world, withinMs, async () => {
    last = await probe();
    return last.ok;
  });
  if (result.held) return last.seen;
  const after = result.realTimeout
    ? ' after 30 s of real time'
    : withinMs === 0
      ? ''
      : ` after ${formatDuration(result.waitedMs)}`;
  throw new StepFailed(`expected ${what}, but${after} ${last.seen}`);
}

const within = (args: Args, fallbackMs: number) => args.duration('within') ?? fallbackMs;

async function expectEvent(world: SimWorld, args: Args): Promise<string> {
  const depot = targetDepot(world, args);
  const name = args.text('event') as string;
  const pinName = args.text('pin');
  const filter: EventFilter = {
    depotId: depot.depotId,
    kind: EVENT_NAMES.get(name) as EventFilter['kind'],
    compartment: args.has('compartment') ? targetCompartment(world, args, depot) : undefined,
    subject: pinName === undefined ? args.text('subject') : `pin:${sentPin(world, pinName).pinId}`,
  };
  const count = args.integer('count');
  const where = `${name}${filter.compartment ? ` in compartment ${filter.compartment}` : ''} from ${depot.alias}`;
  const found = () => countEvents(world.cloud.store, filter);
  const seen = async (n: number) =>
    `the cloud stored ${n} (its last events: ${await recentEvents(world.cloud.store, depot.depotId)})`;
  if (count === 0) {
    // Absence holds only over time: watch the whole window, fail as soon as one lands.
    await poll(world, within(args, 10_000), async () => {
      const n = await found();
      if (n > 0) throw new StepFailed(`expected no ${where}, but ${await seen(n)}`);
      return false;
    });
    return `no ${where}`;
  }
  const wanted = count ?? 1;
  const what = `${count === undefined ? 'a' : wanted} ${where} in the cloud`;
  await waitFor(world, within(args, 60_000), what, async () => {
    const n = await found();
    return { ok: n >= wanted, seen: await seen(n) };
  });
  const n = await found();
  if (count !== undefined && n !== count) throw new StepFailed(`expected ${what}, but ${await seen(n)}`);
  return `${where}: ${n} in the cloud`;
}

export const EXPECT_COMMANDS: readonly SimCommand[] = [
  {
    name: 'expect-event',
    summary: 'expect an event from the depot in the cloud (count=0: expect none)',
    params: [
      { name: 'event', kind: { oneOf: [...EVENT_NAMES.keys()] }, doc: 'event kind, e.g. key-removed' },
      { name: 'count', kind: 'integer', optional: true, doc: 'exactly this many (default: at least one)' },
      { name: 'compartment', kind: 'integer', optional: true, doc: 'only events of this compartment' },
      { name: 'pin', kind: 'text', optional: true, doc: 'only events about this PIN (its name)' },
      { name: 'subject', kind: 'text', optional: true, doc: "only events whose subject's first word is this" },
      WITHIN,
      DEPOT,
    ],
    run: expectEvent,
  },
  {
    name: 'expect-command',
    summary: "expect the state of the depot's last command (or a PIN's) in the cloud",
    params: [
      { name: 'state', kind: { oneOf: ['queued', 'sent', 'applied', 'failed', 'expired', 'rejected'] }, doc: '' },
      { name: 'pin', kind: 'text', optional: true, doc: "the PIN's last command instead" },
      WITHIN,
      DEPOT,
    ],
    async run(world, args) {
      const pinName = args.text('pin');
      const pin = pinName === undefined ? undefined : sentPin(world, pinName);
      const depot = pin ? world.depot(pin.depotId) : targetDepot(world, args);
      const id = pin ? (pin.revokeCommandId ?? pin.addCommandId) : world.lastCommand.get(depot.depotId);
      if (id === undefined) throw new StepFailed(`no command was queued for ${depot.alias}`);
      const wanted = args.text('state') as string;
      return waitFor(world, within(args, 60_000), `command ${id} ${wanted}`, async () => {
        const state = await commandState(world.cloud.store, depot.depotId, id);
        return { ok: state === wanted, seen: `it is ${state}` };
      });
    },
  },
  {
    name: 'expect-pin',
    summary: "expect a PIN's state as the portal shows it (queued, on-depot, used, expired, failed, revoked)",
    params: [
      { name: 'name', kind: 'text', doc: 'the name the PIN was sent under' },
      { name: 'state', kind: { oneOf: PIN_STATES }, doc: '' },
      WITHIN,
    ],
    async run(world, args) {
      const pin = sentPin(world, args.text('name') as string);
      const wanted = args.text('state') as string;
      return waitFor(world, within(args, 60_000), `PIN '${pin.name}' ${wanted}`, async () => {
        const state = await sentPinState(world.cloud.store, pin, world.nowMs());
        return { ok: state === wanted, seen: `it is ${state}` };
      });
    },
  },
  {
    name: 'expect-display',
    summary: "expect the keypad's display to show a text",
    params: [{ name: 'text', kind: 'text', doc: 'text on either line, e.g. Fach 3 offen' }, WITHIN, DEPOT],
    async run(world, args) {
      const { keypad } = targetDepot(world, args).sim.hardware;
      const text = args.text('text') as string;
      return waitFor(world, within(args, 0), `the display to show '${text}'`, async () => {
        const shown = keypad.lines.filter((line) => line !== '').join(' / ');
        return { ok: keypad.lines.join(' ').includes(text), seen: `it shows '${shown}'` };
      });
    },
  },
  {
    name: 'expect-compartment',
    summary: "expect a compartment's door, key and lock as the depot has them (in=cloud: as the cloud has them)",
    params: [
      COMPARTMENT,
      { name: 'door', kind: { oneOf: ['open', 'closed'] }, optional: true, doc: '' },
      { name: 'key', kind: { oneOf: ['present', 'taken'] }, optional: true, doc: '' },
      { name: 'lock', kind: { oneOf: ['locked', 'unlocked'] }, optional: true, doc: '' },
      { name: 'in', kind: { oneOf: ['depot', 'cloud'] }, optional: true, doc: 'whose view (default depot)' },
      WITHIN,
      DEPOT,
    ],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const number = targetCompartment(world, args, depot);
      const inCloud = args.text('in') === 'cloud';
      const wanted = ['door', 'key', 'lock'].filter((k) => args.has(k)).map((k) => `${k} ${args.text(k)}`);
      const view = async (): Promise<string[]> => {
        if (!inCloud) {
          const box = depot.sim.hardware.compartment(number);
          const key = box.key === undefined ? 'unknown' : box.key.raw ? 'present' : 'taken';
          return [
            `door ${box.doorOpen ? 'open' : 'closed'}`,
            `key ${key}`,
            `lock ${box.lock.locked ? '' : 'un'}locked`,
          ];
        }
        const row = await world.cloud.store.db
          .selectFrom('compartments')
          .select(['door_open', 'key_present', 'locked'])
          .where('depot_id', '=', depot.depotId)
          .where('number', '=', number)
          .executeTakeFirst();
        if (!row) return ['no report yet'];
        const key = row.key_present === 1 ? 'present' : 'taken';
        return [
          `door ${row.door_open === 1 ? 'open' : 'closed'}`,
          `key ${key}`,
          `lock ${row.locked === 1 ? '' : 'un'}locked`,
        ];
      };
      const what = `compartment ${number} ${inCloud ? 'in the cloud ' : ''}with ${wanted.join(', ')}`;
      return waitFor(world, within(args, inCloud ? 120_000 : 0), what, async () => {
        const seen = await view();
        return { ok: wanted.every((w) => seen.includes(w)), seen: `it has ${seen.join(', ')}` };
      });
    },
  },
  {
    name: 'expect-lockout',
    summary: "expect the depot's keypad to be locked out (on) or not (off)",
    params: [{ name: 'state', kind: { oneOf: ['on', 'off'] }, doc: '' }, WITHIN, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const wanted = args.text('state') === 'on';
      return waitFor(world, within(args, 0), `the keypad lockout ${args.text('state')}`, async () => {
        const on = depot.sim.poweredOn && depot.sim.daemon.core.lockedOut();
        return { ok: on === wanted, seen: `it is ${on ? 'on' : 'off'}` };
      });
    },
  },
  {
    name: 'expect-presence',
    summary: 'expect the cloud to count the depot online or offline',
    params: [{ name: 'state', kind: { oneOf: ['online', 'offline'] }, doc: '' }, WITHIN, DEPOT],
    async run(world, args) {
      const depot = targetDepot(world, args);
      const wanted = args.text('state') === 'online';
      return waitFor(world, within(args, 600_000), `${depot.alias} ${args.text('state')}`, async () => {
        const online = await isOnline(world.cloud.store, depot.depotId);
        return { ok: online === wanted, seen: `the cloud has it ${online ? 'online' : 'offline'}` };
      });
    },
  },
];
