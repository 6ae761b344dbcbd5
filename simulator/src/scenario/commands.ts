import { CLOUD_COMMANDS } from './cloud-commands.js';
import type { SimCommand } from './command.js';
import { DEPOT_COMMANDS } from './depot-commands.js';
import { EXPECT_COMMANDS } from './expect-commands.js';
import { coerceParam, type ParamValue } from './params.js';

/** The one command table: scenario steps and the interactive prompt both run these. */
export const COMMANDS: readonly SimCommand[] = [...DEPOT_COMMANDS, ...CLOUD_COMMANDS, ...EXPECT_COMMANDS];

const BY_NAME = new Map(COMMANDS.map((command) => [command.name, command]));

export function findCommand(name: string): SimCommand | undefined {
  return BY_NAME.get(name);
}

/** A call that does not fit its command; the message says which parameter and why. */
export class CallError extends Error {
  override readonly name = 'CallError';
}

/**
 * Checks named raw values (JSON values of a step, or words typed at the
 * prompt) against a command's parameters: unknown names, missing required
 * ones and values of the wrong kind are refused with a plain message.
 */
export function bindArgs(command: SimCommand, raw: ReadonlyMap<string, unknown>): Map<string, ParamValue> {
  const values = new Map<string, ParamValue>();
  for (const [name, value] of raw) {
    const spec = command.params.find((p) => p.name === name);
    if (!spec) {
      const known = command.params.map((p) => p.name).join(', ') || 'none';
      throw new CallError(`${command.name} has no parameter '${name}' (it takes: ${known})`);
    }
    try {
      values.set(name, coerceParam(spec, value));
    } catch (error) {
      throw new CallError(`${command.name}: ${(error as Error).message}`);
    }
  }
  const missing = command.params.filter((p) => !p.optional && !values.has(p.name)).map((p) => p.name);
  if (missing.length > 0) throw new CallError(`${command.name} needs ${missing.join(' and ')}`);
  return values;
}

/** "open-door [compartment] [force] [depot]": a command's usage line for help and the docs. */
export function usage(command: SimCommand): string {
  return [command.name, ...command.params.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`))].join(' ');
}
