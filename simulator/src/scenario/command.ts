import type { ScheduleEntry } from '@keydepot/shared';
import type { Moment, ParamSpec, ParamValue } from './params.js';
import type { SimWorld, WorldDepot } from './world.js';

/**
 * One thing a tester can do to the simulated system: a scenario step
 * (`{ "do": "take-key", "compartment": 3 }`) and a prompt command
 * (`take-key 3`) are the same command, run by the same code.
 */
export interface SimCommand {
  readonly name: string;
  readonly summary: string;
  /** In order: the prompt maps bare words to them left to right; `name=value` works for any. */
  readonly params: readonly ParamSpec[];
  /** Returns what to tell the tester (printed at the prompt and in a scenario's log). */
  run(world: SimWorld, args: Args): Promise<string | undefined>;
}

/** A step that could not be done or whose expectation did not hold; the message says what was seen. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

/** Checked parameter values of one call, by name. */
export class Args {
  constructor(private readonly values: ReadonlyMap<string, ParamValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  text(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }
  integer(name: string): number | undefined {
    return this.values.get(name) as number | undefined;
  }
  /** Durations are simulated milliseconds. */
  duration(name: string): number | undefined {
    return this.values.get(name) as number | undefined;
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  schedule(name: string): readonly ScheduleEntry[] | undefined {
    return this.values.get(name) as readonly ScheduleEntry[] | undefined;
  }
  /** A moment as ms since the epoch on the simulated wall clock; undefined when absent. */
  moment(name: string, nowMs: number): number | undefined {
    const value = this.values.get(name) as Moment | undefined;
    if (value === undefined) return undefined;
    return 'atMs' in value ? value.atMs : nowMs + value.relativeMs;
  }
}

export const DEPOT: ParamSpec = {
  name: 'depot',
  kind: 'text',
  optional: true,
  doc: 'depot alias, id or name (default: the selected one)',
};
export const COMPARTMENT: ParamSpec = {
  name: 'compartment',
  kind: 'integer',
  optional: true,
  doc: 'compartment number (default: the selected one)',
};
export const WITHIN: ParamSpec = {
  name: 'within',
  kind: 'duration',
  optional: true,
  doc: 'how much simulated time it may take',
};

/** The depot a call acts on: its `depot` argument or the selection. */
export function targetDepot(world: SimWorld, args: Args): WorldDepot {
  const ref = args.text('depot');
  return ref === undefined ? world.selection.depot : world.depot(ref);
}

/** The compartment a call acts on, checked against the depot. */
export function targetCompartment(world: SimWorld, args: Args, depot = targetDepot(world, args)): number {
  const number = args.integer('compartment') ?? world.selection.compartment;
  if (number < 1 || number > depot.compartments) {
    throw new StepFailed(`${depot.alias} has compartments 1-${depot.compartments}, not ${number}`);
  }
  return number;
}
