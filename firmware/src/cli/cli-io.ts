import { parseArgs } from 'node:util';
import { type DepotConfig, loadDepotConfig } from '../config.js';

/** What a CLI command may touch: passed in by bin/keydepot-depot.ts, faked by tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves with the signal's name on SIGINT or SIGTERM (the daemon's graceful stop). */
  readonly untilStopSignal: () => Promise<string>;
}

/** A command's failure with a plain message for the technician; exit code 1 unless given. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** /etc/keydepot unless KEYDEPOT_CONFIG_DIR or --config-dir says otherwise. */
const DEFAULT_CONFIG_DIR = '/etc/keydepot';

/** A command's options as node:util parseArgs takes them; every command also takes --config-dir. */
export type CliOptions = Record<string, { readonly type: 'string' | 'boolean' }>;

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/**
 * `--name value`, `--name=value` and bare boolean `--flag`, by node:util
 * parseArgs (as the cloud and simulator parse theirs). An option the command
 * does not know, or one missing its value, is refused in plain words, so a
 * typo never passes silently.
 */
export function parseCommandArgs(argv: readonly string[], options: CliOptions): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { 'config-dir': { type: 'string' }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const name = /'(-[^' ]+)/.exec((error as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new CliError(`unknown option ${name}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const boolean = options[name.replace(/^--/, '')]?.type === 'boolean';
      throw new CliError(boolean ? `${name} takes no value` : `${name} needs a value`);
    }
    throw new CliError((error as Error).message);
  }
}

/** A string option's value, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The config folder's depot, with status.json where KEYDEPOT_STATUS_DIR says (the unit's tmpfs). */
export function loadConfigOf(args: ParsedArgs, io: CliIo): DepotConfig {
  return loadDepotConfig(configDirOf(args, io), { statusDir: io.env.KEYDEPOT_STATUS_DIR || undefined });
}

export function configDirOf(args: ParsedArgs, io: CliIo): string {
  const flag = stringOption(args, 'config-dir');
  if (flag !== undefined) return flag;
  return io.env.KEYDEPOT_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
}
