import type { SimCommand } from './command.js';
import { bindArgs, CallError, findCommand } from './commands.js';
import { parseDuration } from './duration.js';
import type { ParamValue } from './params.js';
import type { DepotSpec } from './world.js';

/**
 * A scenario file (JSON): the depots to register and timed steps to run on
 * them. Every field is checked before anything starts, so a typo fails in a
 * second with the step and field named, not after a simulated week.
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Simulated wall clock at the start (ms since the epoch); default: the real time now. */
  readonly startWallMs?: number;
  readonly depots: readonly DepotSpec[];
  readonly steps: readonly ScenarioStep[];
}

export interface ScenarioStep {
  /** 1-based, as the failure message counts. */
  readonly number: number;
  /** Run no earlier than this much simulated time after the start. */
  readonly atMs?: number;
  readonly command: SimCommand;
  readonly args: ReadonlyMap<string, ParamValue>;
  readonly note?: string;
  /** The step as written (without `note`), for the log: `type keys=48291377#`. */
  readonly text: string;
}

/** A scenario file that does not fit; the message names the place (`step 4 (type): …`). */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScenarioError(`${where} must be an object`);
  }
  return value as Json;
}

function onlyKeys(o: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key))
      throw new ScenarioError(`${where}: unknown field '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

function text(o: Json, key: string, where: string, optional = false): string | undefined {
  const value = o[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new ScenarioError(`${where}: ${key} must be a text`);
  return value;
}

function list(o: Json, key: string): unknown[] {
  const value = o[key];
  if (!Array.isArray(value) || value.length === 0) throw new ScenarioError(`${key} must be a non-empty list`);
  return value;
}

function parseDepot(value: unknown, index: number, seen: Set<string>): DepotSpec {
  const where = `depot ${index + 1}`;
  const o = object(value, where);
  onlyKeys(o, ['id', 'name', 'compartments', 'address', 'language', 'timeZone'], where);
  const alias = text(o, 'id', where) as string;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(alias))
    throw new ScenarioError(`${where}: id must be lower-case letters, digits, -`);
  if (seen.has(alias)) throw new ScenarioError(`${where}: id '${alias}' is used twice`);
  seen.add(alias);
  const compartments = o.compartments ?? 6;
  if (!Number.isInteger(compartments) || (compartments as number) < 1 || (compartments as number) > 64) {
    throw new ScenarioError(`${where}: compartments must be a whole number 1-64`);
  }
  const language = o.language;
  if (language !== undefined && language !== 'de' && language !== 'en') {
    throw new ScenarioError(`${where}: language must be de or en`);
  }
  return {
    alias,
    name: text(o, 'name', where) as string,
    address: text(o, 'address', where, true) ?? 'simulated',
    compartments: compartments as number,
    language,
    timeZone: text(o, 'timeZone', where, true),
  };
}

function parseStep(value: unknown, index: number): ScenarioStep {
  const number = index + 1;
  const o = object(value, `step ${number}`);
  const name = o.do;
  if (typeof name !== 'string') throw new ScenarioError(`step ${number}: 'do' must name a command`);
  const command = findCommand(name);
  if (!command) throw new ScenarioError(`step ${number}: no command '${name}' (see \`pnpm sim commands\`)`);
  const where = `step ${number} (${name})`;
  let atMs: number | undefined;
  if (o.at !== undefined) {
    atMs = typeof o.at === 'string' ? parseDuration(o.at) : undefined;
    if (atMs === undefined) throw new ScenarioError(`${where}: at must be a duration from the start, like '2h'`);
  }
  const note = text(o, 'note', where, true);
  const raw = new Map(Object.entries(o).filter(([key]) => !['do', 'at', 'note'].includes(key)));
  let args: Map<string, ParamValue>;
  try {
    args = bindArgs(command, raw);
  } catch (error) {
    if (error instanceof CallError) throw new ScenarioError(`${where}: ${error.message.replace(`${name}: `, '')}`);
    throw error;
  }
  const words = [...raw].map(
    ([key, v]) => `${key}=${typeof v === 'string' && v.includes(' ') ? JSON.stringify(v) : v}`,
  );
  return { number, atMs, command, args, note, text: [name, ...words].join(' ') };
}

/** Parses and checks a scenario file's text; throws ScenarioError naming the first problem. */
export function parseScenario(source: string, fileName = 'scenario'): Scenario {
  if (/\.ya?ml$/i.test(fileName)) {
    throw new ScenarioError(
      `${fileName}: YAML scenarios need a YAML parser, and none is installed in this workspace; write it as JSON`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new ScenarioError(`${fileName} is not valid JSON: ${(error as Error).message}`);
  }
  const o = object(json, fileName);
  onlyKeys(o, ['$comment', 'name', 'description', 'start', 'depots', 'steps'], fileName);
  let startWallMs: number | undefined;
  if (o.start !== undefined) {
    startWallMs = typeof o.start === 'string' ? Date.parse(o.start) : Number.NaN;
    if (Number.isNaN(startWallMs)) throw new ScenarioError(`start must be an ISO time like 2026-06-05T18:30:00+02:00`);
  }
  const seen = new Set<string>();
  const depots = list(o, 'depots').map((d, i) => parseDepot(d, i, seen));
  const steps = list(o, 'steps').map(parseStep);
  const names = new Set([...depots.map((d) => d.alias), ...depots.map((d) => d.name)]);
  let last = 0;
  for (const step of steps) {
    const depot = step.args.get('depot');
    if (depot !== undefined && !names.has(String(depot))) {
      throw new ScenarioError(`step ${step.number} (${step.command.name}): no depot '${depot}' in this scenario`);
    }
    if (step.atMs === undefined) continue;
    if (step.atMs < last)
      throw new ScenarioError(`step ${step.number}: at goes back in time (before an earlier step's)`);
    last = step.atMs;
  }
  return {
    name: text(o, 'name', fileName) as string,
    description: text(o, 'description', fileName, true) ?? '',
    startWallMs,
    depots,
    steps,
  };
}
