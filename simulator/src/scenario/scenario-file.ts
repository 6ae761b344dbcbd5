import { z } from 'zod';
import type { SimCommand } from './command.js';
import { bindArgs, CallError, findCommand } from './commands.js';
import { parseDuration } from './duration.js';
import type { ParamValue } from './params.js';
import type { DepotSpec } from './world.js';

/**
 * A scenario file (JSON): the depots to register and timed steps to run on
 * them. Every field is checked before anything starts (the file's shape by the
 * zod schema below, each step's arguments by its command's parameters), so a
 * typo fails in a second with the step and field named, not after a simulated week.
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

const text = (field: string) =>
  z.string({ error: `${field} must be a text` }).refine((value) => value.trim() !== '', `${field} must be a text`);
const OBJECT = { error: 'must be an object' };

const depotSchema = z.strictObject(
  {
    id: text('id').regex(/^[a-z0-9][a-z0-9-]*$/, 'id must be lower-case letters, digits, -'),
    name: text('name'),
    compartments: z
      .number({ error: 'compartments must be a whole number 1-64' })
      .int('compartments must be a whole number 1-64')
      .min(1, 'compartments must be a whole number 1-64')
      .max(64, 'compartments must be a whole number 1-64')
      .default(6),
    address: text('address').optional(),
    language: z.enum(['de', 'en'], { error: 'language must be de or en' }).optional(),
    timeZone: text('timeZone').optional(),
  },
  OBJECT,
);

/** A step's own fields; the rest are its command's arguments, checked by bindArgs. */
const stepSchema = z.looseObject(
  {
    do: z.string({ error: "'do' must name a command" }),
    at: z
      .string({ error: "at must be a duration from the start, like '2h'" })
      .refine((at) => parseDuration(at) !== undefined, "at must be a duration from the start, like '2h'")
      .optional(),
    note: text('note').optional(),
  },
  OBJECT,
);

const list = <T extends z.ZodType>(field: string, item: T) =>
  z.array(item, { error: `${field} must be a non-empty list` }).min(1, `${field} must be a non-empty list`);

const fileSchema = z.strictObject(
  {
    $comment: z.unknown().optional(),
    name: text('name'),
    description: text('description').optional(),
    start: z
      .string({ error: 'start must be an ISO time like 2026-06-05T18:30:00+02:00' })
      .refine((start) => !Number.isNaN(Date.parse(start)), 'start must be an ISO time like 2026-06-05T18:30:00+02:00')
      .optional(),
    depots: list('depots', depotSchema),
    steps: list('steps', stepSchema),
  },
  OBJECT,
);

/** The first problem zod found, placed as the tester reads it: `depot 2: …`, `step 4: …`, `file.json: …`. */
function describeIssue(issue: z.core.$ZodIssue, fileName: string, steps: unknown): string {
  const [section, index] = issue.path;
  let where = `${fileName}: `;
  if (typeof index === 'number' && section === 'depots') where = `depot ${index + 1}: `;
  else if (typeof index === 'number' && section === 'steps') {
    const name = (Array.isArray(steps) ? (steps[index] as { do?: unknown }) : undefined)?.do;
    where =
      issue.path[2] === 'do' || typeof name !== 'string' ? `step ${index + 1}: ` : `step ${index + 1} (${name}): `;
  } else if (section === 'depots' || section === 'steps' || section === 'start') where = '';
  if (issue.code === 'unrecognized_keys') {
    const allowed = Object.keys(
      section === 'depots' ? depotSchema.shape : section === 'steps' ? stepSchema.shape : fileSchema.shape,
    );
    return `${where}unknown field '${issue.keys[0]}' (allowed: ${allowed.join(', ')})`;
  }
  if (issue.message === OBJECT.error) return `${where.replace(/: $/, '')} must be an object`;
  return `${where}${issue.message}`;
}

function bindStep(step: z.infer<typeof stepSchema>, index: number): ScenarioStep {
  const number = index + 1;
  const { do: name, at, note, ...raw } = step;
  const command = findCommand(name);
  if (!command) throw new ScenarioError(`step ${number}: no command '${name}' (see \`pnpm sim commands\`)`);
  let args: Map<string, ParamValue>;
  try {
    args = bindArgs(command, new Map(Object.entries(raw)));
  } catch (error) {
    if (error instanceof CallError) {
      throw new ScenarioError(`step ${number} (${name}): ${error.message.replace(`${name}: `, '')}`);
    }
    throw error;
  }
  const words = Object.entries(raw).map(
    ([key, v]) => `${key}=${typeof v === 'string' && v.includes(' ') ? JSON.stringify(v) : v}`,
  );
  const atMs = at === undefined ? undefined : parseDuration(at);
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
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const steps = typeof json === 'object' && json !== null ? (json as { steps?: unknown }).steps : undefined;
    throw new ScenarioError(describeIssue(issue, fileName, steps));
  }
  const file = parsed.data;
  const seen = new Set<string>();
  const depots: DepotSpec[] = file.depots.map((depot, i) => {
    if (seen.has(depot.id)) throw new ScenarioError(`depot ${i + 1}: id '${depot.id}' is used twice`);
    seen.add(depot.id);
    return {
      alias: depot.id,
      name: depot.name,
      address: depot.address ?? 'simulated',
      compartments: depot.compartments,
      language: depot.language,
      timeZone: depot.timeZone,
    };
  });
  const steps = file.steps.map(bindStep);
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
    name: file.name,
    description: file.description ?? '',
    startWallMs: file.start === undefined ? undefined : Date.parse(file.start),
    depots,
    steps,
  };
}
